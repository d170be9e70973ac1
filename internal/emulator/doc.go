// Package emulator is a local, LocalStack-style Huawei Cloud Workspace API:
// the desktop snapshot family (batch-create, batch-restore, batch-delete,
// list), the job APIs (ShowJob, ListItaSubJobs), the desktop list and the IAM
// project lookup, all on one host, with the documented paths, JSON shapes,
// status codes and error bodies, SDK-HMAC-SHA256 signature verification and
// injectable faults. A client that passes against it should work against the
// cloud. It has its own wire structs and verifier and never imports the
// client (internal/workspace).
//
// # Routes
//
//	POST /v2/{project_id}/snapshots/batch-create    BatchCreateDesktopSnapshot  -> {"job_id"}
//	POST /v2/{project_id}/snapshots/batch-restore   BatchRestoreDesktopSnapshot -> {"job_id"}
//	POST /v2/{project_id}/snapshots/batch-delete    BatchDeleteDesktopSnapshot  -> {"job_id"}
//	GET  /v2/{project_id}/snapshots                 ListDesktopSnapshot
//	GET  /v2/{project_id}/workspace-jobs/{job_id}   ShowJob
//	GET  /v2/{project_id}/workspace-sub-jobs        ListItaSubJobs
//	GET  /v2/{project_id}/desktops                  ListDesktops
//	GET  /v3/projects?name={region}                 KeystoneListProjects (IAM, same host)
//	GET  /_emulator/health | /_emulator/stats, GET|POST /_emulator/faults | /_emulator/dialect,
//	POST /_emulator/history | /_emulator/desktops (no auth, no faults, not counted)
//
// Anything else is 404 APIGW.0101 and counts as operation "Unknown". Every
// answer carries an X-Request-Id header; gateway (APIGW.*) error bodies also
// echo it as request_id.
//
// # Authentication
//
// A request is accepted when signed with SDK-HMAC-SHA256 by the configured
// AK/SK, recomputed exactly as the gateway does (canonical URI with a
// trailing slash, sorted query, headers in SignedHeaders order with host from
// r.Host, hash of the raw body or X-Sdk-Content-Sha256), or when it carries
// X-Auth-Token equal to Config.AuthToken (only if configured). X-Sdk-Date is
// required, must be signed, and must be within MaxClockSkew (15m). If
// Config.SecurityToken is set, a signed request that carries
// X-Security-Token must carry that value. Every failure is 401 APIGW.0301
// "Incorrect IAM authentication information: <reason>", the reason naming
// what is wrong (bad signature, unknown access key, missing/unsigned/skewed
// date, token). On a signature mismatch the canonical request is written to
// the log (security tokens redacted), never the secret key.
//
// A {project_id} in the path, or an X-Project-Id header, other than the
// emulator's project is 403 APIGW.0302 naming both projects (the gateway
// refuses a project the credentials do not belong to).
//
// # Choices where the reference says "not confirmed"
//
// Where several answers are plausible and a client must cope with each, the
// choice is a dialect (see Dialects below) and what follows is the default.
//
// Error codes:
//   - 400 WKS.0001: malformed or empty JSON, a field of the wrong type, an ID
//     list that is missing, empty, over 100 long, with duplicates or with an
//     ID outside 1..36 characters, an unknown disk_type, a name over 64 or a
//     description over 255 characters (counted in characters), a bad query
//     parameter (enum, offset, limit), restoring a snapshot that is not
//     create_success, restore_success or restore_failed, and restoring two
//     snapshots of the same disk of one desktop in one call. The message
//     names the field, e.g. "desktop_ids[2]: ...".
//   - 404 WKS.0004: unknown desktops or snapshots (all of them listed), or
//     an unknown job. Dialect.NotFound "400" answers these 400 WKS.0001
//     instead, with the same message.
//   - 409 WKS.00010032: a desktop (or the desktop of a snapshot) is under a
//     running job: "Operation conflict. The desktop current instance status
//     is [snapshotting|restoring|deleting_snapshot] and deny operation
//     [<job type>], resource id [<desktop id>]", the job type being the one
//     the dialect shows (Dialect.RestoreJobType). A desktop is busy from the
//     POST until its own sub-job ends. Dialect.ConcurrentJobs accepts the
//     POST instead.
//   - Failed sub-jobs carry error_code WKS.00010306 (create), WKS.00010315
//     (restore) or WKS.00010321 (delete) and a fail_reason naming the desktop.
//
// Desktops: seeded with IDs in UUID form derived from Seed and index, names
// wks-desktop-0001..., computer names WKSPC0001..., users user0001...,
// IPs 10.0.x.y, MAC addresses fa:16:3e followed by the index in three bytes
// (desktop 256 is fa:16:3e:00:01:00; derived, so not in the state file).
// Each desktop has exactly one system disk and one data disk, so disk_type
// ALL makes two records per desktop (system first), SYSTEM_DISK or
// DATA_DISKS one. disk_type omitted means ALL. Desktops can be added,
// deleted, renamed and reassigned at run time (see Desktops that change).
//
// Snapshot names are desktop name + given name + the job's begin time as
// 20060102150405, with no separators; a missing name gives desktop name +
// timestamp. The timestamp is the wall clock of the zone job times are
// written in (UTC, or UTC+Dialect.JobTimeOffset when the record was made):
// the service composes the name as it writes its job times, we guess, so a
// client must not read a zone into it. create_time is the job's begin in
// RFC 3339 UTC (Z) in every dialect, as documented; create_type MANUALLY.
// Records appear at once as creating with process 0..99 and become
// create_success (process null) or create_failed when their desktop's
// sub-job ends. Restore: restoring, then restore_success with
// last_restore_time, or restore_failed with restore_fail_reason. Delete:
// records keep their status until their desktop's sub-job ends, then vanish
// (a failed delete keeps them).
//
// List filters: all combine with AND. desktop_name and snapshot_name match a
// substring; desktop_ids, desktop_names and snapshot_names (repeated keys)
// match exactly. Without sort_field, records come in creation order
// (create_time, then the order they were made in, so records of history
// jobs sort by their job's begin); sort_type applies to that order too; ties
// keep creation order so paging is stable. total_count is the count before
// paging.
//
// Jobs are computed from Now() when asked, with no background work: a job is
// WAITING for the first tenth of JobDuration, then RUNNING, and terminal at
// begin+JobDuration (JobDuration 0: terminal at once). Each sub-job ends at
// a seeded point in the second half of the running phase, so desktops finish
// staggered. The parent is SUCCESS, or FAIL (job_error_code of the first
// failed sub-job, fail_reason "n of m sub-jobs failed") when any sub-job
// FAILED, or COMPLETE with no error fields when the fault
// CompleteWithFailedSubJobs was on when the job began. Times are
// "2006-01-02 15:04:05" with no zone, in UTC (Dialect.JobTimeOffset moves
// them); end_time appears once terminal. Job types are createWksSnapshot,
// restoreDesktopBySnapshot (Dialect.RestoreJobType renames it) and
// deleteWksSnapshot. There is one sub-job per desktop, in request order.
// Sub-job entity (Dialect.SubJobEntity): the desktop ID for create; the
// desktop's snapshot IDs, comma separated in request order, for restore and
// delete. Sub-jobs also carry desktop_name and mac_address at the top level
// and entities {desktop_id, desktop_name, user_name, ip_address}, and
// attach_user: the desktop as it is now (or was when it was deleted), so a
// reassigned desktop's past sub-jobs show its new user.
//
// ListItaSubJobs lists sub-jobs newest first (jobs by begin time, latest
// first, and a job's later sub-jobs first; Dialect.SubJobOrder "oldest"
// reverses that); job_type matches the type the answer shows. limit=0 returns no
// items but the total_count; desktop_pool_id matches nothing (no desktop is
// in a pool).
// ListDesktops filters exactly (user_name, computer_name, desktop_ip, and
// desktop_id, a repeated key of up to 100 IDs as in SDK v0.1.207, §9: more
// is 400 WKS.0001 naming desktop_id and the limit; unknown IDs are left
// out; Dialect.UserNameMatch "fuzzy" makes user_name a substring), in the
// order desktops were made (seeded, then added); limit=0 likewise returns
// only total_count. Dialect.ListPageCap caps the pages of all three lists.
// KeystoneListProjects without name lists the one project.
//
// # Faults
//
// All off by default; set in Config.Faults, by SetFaults or by POST
// /_emulator/faults (snake_case keys, merged into the faults in force,
// latency as "250ms" or nanoseconds; a "scripted" key replaces the whole
// script and restarts its count, and a POST that is refused changes
// nothing). They apply to the API routes only, in
// this order: throttle (token bucket of ThrottleRPS a second, burst
// max(1, rps), on the emulator's clock: 429 APIGW.0308 with Retry-After: 1
// unless Dialect.NoRetryAfter),
// then authentication, then Fault5xxRate (a gateway 503 APIGW.0201 or a
// service 500 WKS.0999, half each, without acting), then the operation, then
// FaultResetRate (the operation has acted; the connection is closed with a
// TCP reset and no answer). Latency delays every API answer.
// SubJobFailureRate makes that share of new sub-jobs end FAILED. Fault
// decisions come from their own seeded stream and the state from another,
// so with one Seed the same requests give the same IDs and the same faults.
// Scripted ("scripted" in JSON) chooses faults for given requests of an
// operation (one named under Routes; a script for any other is refused,
// since it could never fire) instead, whatever the rates and however concurrent requests
// interleave: {"BatchCreateDesktopSnapshot": ["reset", "drop", "5xx", "throttle"]}
// resets the 1st batch-create after it acted, drops the 2nd after it acted,
// answers the 3rd 5xx and the 4th 429, counting from when the script was
// set. A scripted fault decides its request; "" leaves it to the rates. The
// rates are drawn for every authenticated request all the same, so adding a
// script does not shift the faults the other requests get (a scripted 5xx
// the rates did not pick is a 503 or a 500 as its request ID decides).
// "drop" exists only as a scripted kind: the operation acts, then the
// connection is closed gracefully (a FIN, no TCP reset) without a byte of
// answer, so the client reads EOF where "reset" gives it a connection reset;
// the two are the ways a reply can be lost after the service acted.
//
// List faults are scripted kinds only the list operations take
// (ListDesktops, ListDesktopSnapshot, ListItaSubJobs; a script giving one
// to another operation is refused, naming them). The request is answered
// 200 as usual, after Dialect.ListPageCap, but its page is wrong:
//   - "short": the page holds the first half of its items (rounded down),
//     total_count unchanged;
//   - "empty": the page holds no item, total_count unchanged;
//   - "low_total": total_count is offset + the items on the page (never
//     more than the true count), as if the list ended there;
//   - "skip": the page is the one starting one item later, total_count one
//     less, as if an item before the offset had been deleted since the
//     page before: one item is never shown;
//   - "repeat": the page is the one starting one item earlier (at offset 0
//     the first page: nothing comes before it), total_count one more, as
//     if an item had been inserted before the offset: one item is shown
//     twice.
//
// Stats.InjectedFaults counts "5xx", "reset", "drop", "throttle",
// "latency" and the list kinds ("short", "empty", "low_total", "skip",
// "repeat"; only when the page was answered, not on a 400);
// Stats.InjectedFaultsByOperation breaks every kind but latency (scripted
// or from the rates) down by operation. Latency is counted only in
// InjectedFaults: it delays every API answer, those of unknown routes too.
//
// # Dialects
//
// Config.Dialect, SetDialect and POST /_emulator/dialect (snake_case keys
// merged into the dialect in force, unknown keys refused, job_time_offset as
// "8h", "-5h30m" or nanoseconds; GET shows it, the offset in nanoseconds)
// choose, for each point the reference leaves open, which plausible answer
// the emulator gives, so client tests can prove the provider works under
// each. The zero Dialect gives the answers listed above. A dialect is applied
// when an answer is written, so switching it changes what is said about jobs
// that already exist; only the timestamp inside a snapshot name is fixed
// when the record is made.
//
//   - job_time_offset (JobTimeOffset): job and sub-job begin_time/end_time
//     are written zone-less at UTC+offset; 0 = UTC, multiples of 15m from
//     -12h to +14h (every zone in use). Evidence: the only example,
//     "2020-04-10 06:45:14" in the OAS (§2.1, §2.2), has no zone; §9 item 1
//     calls UTC a guess and local time such as UTC+8 as plausible. Only
//     snapshot create_time is documented as UTC, and it stays UTC.
//   - subjob_entity (SubJobEntity): "" = the desktop ID for create and the
//     desktop's snapshot IDs comma-joined for restore and delete (the entity
//     is the "object operated on", and those are what each job operates on);
//     "desktop" = the desktop ID for every type (entities.desktop_id is the
//     one documented structured target, §2.1); "empty" = no entity (the SDK
//     lists it, OAS does not). Evidence: §9 item 2, the format is free text.
//   - not_found (NotFound): "" or "404" = 404 WKS.0004, as the seed pages
//     answer a missing resource; "400" = 400 WKS.0001, which Huawei's own
//     provider treats as not-found for desktop pools (§5.2, TF
//     desktop_pool.go ~L669). Evidence: §9 item 4. Applies to unknown
//     desktops (batch-create), snapshots (batch-restore, batch-delete) and
//     jobs (ShowJob).
//   - subjob_order (SubJobOrder): "" or "newest" = newest first; "oldest" =
//     creation order. Evidence: §9 item 3, the order is not documented and
//     neither is more likely than the other.
//   - restore_job_type (RestoreJobType): "" = restoreDesktopBySnapshot, the
//     only restore type the SDK lists (§2.4); any other name is shown as
//     given, e.g. restoreWksSnapshot by analogy with createWksSnapshot and
//     deleteWksSnapshot, which no source names. Evidence: §2.4 and §6 item 2,
//     "not confirmed". It renames the job_type of ShowJob and sub-jobs, the
//     ListItaSubJobs job_type filter and Server.JobIDs; it may not be the
//     create or delete type.
//   - no_retry_after (NoRetryAfter): false = 429 answers carry
//     Retry-After: 1; true = no Retry-After. Evidence: §9 item 5; the
//     gateway 429 quoted in §5.1 (TF issue #1335) gives only its body.
//   - concurrent_jobs (ConcurrentJobs): false = a batch POST over a desktop
//     under a running job is 409 WKS.00010032; true = it is accepted and its
//     job runs alongside the other (two creates make two sets of records; a
//     restore or delete may take a record another job is working on).
//     Evidence: §1.6, whether snapshot jobs may overlap is not documented;
//     the 409 is quoted from Huawei's provider for other desktop
//     operations. Sub-jobs take effect in the order they end, so a delete
//     that ends first removes the record and a later end on it changes
//     nothing; a record's process is that of the latest-begun job still
//     working on it. A desktop stays busy until the last sub-job holding it
//     ends, which matters when the dialect is switched back.
//   - list_lag (ListLag): 0 = ListDesktopSnapshot shows every change at
//     once; D > 0 = it answers as of D ago on the emulator's clock (every
//     field, process included, and the filters and total_count apply to
//     the records as they were). So a record made by batch-create is
//     listed D after its job began, first as it was then (creating,
//     process 0); a change (creating to create_success, to restoring and
//     back with last_restore_time) shows D after it happened, a sub-job's
//     effects happening at its end; a deleted record stays listed, as it
//     was, until D after its delete sub-job ended. ShowJob and
//     ListItaSubJobs do not lag: a job can be SUCCESS while its records
//     are not listed yet, or are listed as before. The batch POSTs act on
//     the records as they are: one not listed yet can be restored or
//     deleted, one deleted but still listed is not found. Evidence: none
//     either way; lists of eventually consistent cloud APIs show changes
//     seconds late, and a client that reads the list right after a job
//     must cope. At most 1h; only the versions of records changed within
//     the last D are kept. Setting or changing it forgets the list's past:
//     it applies to changes from then on, and the state file does not keep
//     that past (a restarted emulator lists records as they are).
//   - user_name_match (UserNameMatch): "" or "exact" = ListDesktops'
//     user_name matches the user name exactly; "fuzzy" = it matches every
//     desktop whose user name contains it, ignoring case (either way the
//     first user_name of the query; the SDK's array of several is not
//     played). Evidence: §9, SDK
//     v0.1.207 and Huawei's API page call the filter fuzzy (模糊查询), §7's
//     older model did not say; a client that wants one user must check
//     what comes back.
//   - list_page_cap (ListPageCap): 0 = a page holds what limit asks; N in
//     1..1000 = every page of ListDesktops, ListDesktopSnapshot and
//     ListItaSubJobs holds at most N items whatever limit asks (its
//     default too), total_count still counting every match. Evidence:
//     none either way; services cap page sizes below their documented
//     limit, and a client that pages by limit rather than by what it got
//     would skip items.
//   - subjob_entities (SubJobEntities): "" = every sub-job's entities
//     carry desktop_id; "create_only" = those of restore and delete jobs
//     carry no desktop_id (desktop_name, user_name and ip_address stay),
//     in ShowJob and ListItaSubJobs; create jobs' keep it. Evidence: §9,
//     entities.desktop_id is the one documented structured field, and
//     which fields each job type fills is not documented.
//   - show_job_sub_jobs_cap (ShowJobSubJobsCap) and show_job_omit_total
//     (ShowJobOmitTotal): 0 and false = ShowJob lists every sub-job and
//     sub_jobs_total; N in 1..100 = ShowJob lists the first N sub-jobs (in
//     request order), the others only through ListItaSubJobs; true = it
//     leaves sub_jobs_total out. Together they play a ShowJob whose
//     sub_jobs are cut short, with or without a total that says so; the
//     parent's status, job_error_code and fail_reason still count every
//     sub-job. Evidence: §2.1 documents sub_jobs and sub_jobs_total but no
//     bound on the list.
//
// The dialect is configuration, not state: the state file does not store it,
// and a restarted emulator speaks the dialect it is configured with.
//
// # History
//
// Server.AddHistory(History) and POST /_emulator/history (the JSON of
// History: every and duration as "24h" or nanoseconds, first in RFC 3339;
// answer {"job_ids": [...]}, first job first; bad input is 400 WKS.0001
// "history: <what is wrong>") add jobs that ran in the past, as an
// operator's nightly or hourly schedule would have left them: Count jobs,
// the first beginning at First and each Every after the one before, each
// running Duration (0: JobDuration). With desktop_ids they are
// batch-creates of those desktops (disk_type, and per disk the given name
// and a description, as batch-create takes them); with
// restore_snapshot_ids, batch-restores of those snapshots. Each job is what
// the batch POST would have made at its begin on the emulator's clock: one
// sub-job per desktop, times written in the job zone, records with that
// create_time and names stamped with it; no sub-job fails, whatever the
// faults, and a job that has not ended by now runs on like a live one.
// Records and jobs sort by when they were made, not added: before later
// ones in ListDesktopSnapshot, by begin in ListItaSubJobs and
// Server.JobIDs. Refused, with nothing added: the last job beginning after
// now; unless Dialect.ConcurrentJobs, a job holding a desktop (for its
// whole duration) while another job did, since batch-create would have been
// refused with 409; a restore before the snapshot's last change (its
// creation or the end of a job on it); more than 10000 jobs or 100000
// sub-jobs in one history.
//
// # Desktops that change
//
// Server.AddDesktops, DeleteDesktops and UpdateDesktop, and POST
// /_emulator/desktops, change the desktops as an operator in the console
// would, between one provider run and the next or within one. The route
// takes {"delete": [desktop IDs], "update": [{"desktop_id", "computer_name",
// "user_name"}], "add": [{"computer_name", "user_name"}]}, every key
// optional (unknown ones refused), done in that order and all or none, and
// answers {"deleted": [IDs], "deleted_snapshot_ids": [IDs], "updated":
// [desktops], "added": [desktops]}, a desktop being the ListDesktops fields
// with desktop_name. Refused, changing nothing: an unknown desktop (in the
// shape of Dialect.NotFound: 404 WKS.0004 or 400 WKS.0001, "delete:
// desktops not found: [...]"); deleting a desktop under a running job (409
// WKS.00010032, operation deleteDesktop, in every dialect, since
// ConcurrentJobs lets snapshot jobs overlap, not a job outlive its
// desktop); anything else wrong (400 WKS.0001 naming the field, e.g.
// "add[1].computer_name: ..."). The Go methods return the same refusals as
// errors matching ErrDesktopNotFound, ErrDesktopBusy or ErrInvalidDesktop.
//
// An added desktop gets the next number after every desktop made before
// (seeded, added, deleted), and from it its ID (derived from Seed and the
// number, as a seeded one's: the same seed and the same changes give the
// same IDs, and desktop N is the one seeding N desktops would have made),
// desktop name, IP, SID and MAC; created is the emulator's clock. It comes
// last in the listing. computer_name defaults to WKSPC and the number;
// given, it must be 1 to 15 ASCII letters, digits and hyphens and, ignoring
// case as Windows does, no other desktop's. user_name may be left out: the
// desktop has no user (user_name and user_group empty); given, at most 64
// characters without spaces. An update renames (computer_name, not empty)
// or reassigns (user_name, "" for none); what ListDesktops, its filters and
// sub-jobs show changes, but not the desktop_name of its snapshots, which is
// not its computer name.
//
// Deleting a desktop deletes its snapshot records with it, at once: the
// snapshots are of the desktop's disks, which go with it (the reference
// says nothing; keeping records of a desktop that is gone, which nothing
// could restore, is the less plausible reading). Under Dialect.ListLag they
// go from the list ListLag late, as records deleted by a job do. The
// desktop is then unknown to every operation (ListDesktops, batch-create,
// desktop_id filters), but the jobs that ran on it still show it as it
// was, and its number is never given again.
//
// # State file
//
// With Config.StateFile, New loads desktops (added, changed and deleted
// ones too), snapshots, jobs (history jobs too) and the generator's
// position from it when it exists (the Desktops count is then ignored) and
// Close writes it (atomically, by rename). Jobs
// keep running across a restart because they are computed from their begin
// time. The dialect and the faults are not in it (see Dialects), nor the
// list's past under Dialect.ListLag.
package emulator
