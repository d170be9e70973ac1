// Package emulator is a local, LocalStack-style Huawei Cloud Workspace API:
// the desktop snapshot family (batch-create, batch-restore, batch-delete,
// list), the job APIs (ShowJob, ListItaSubJobs), the desktop list and the IAM
// project lookup, on one host, with the documented paths, JSON shapes, status
// codes and error bodies, SDK-HMAC-SHA256 signature verification and
// injectable faults. A client that passes against it should work against the
// cloud. It shares no code with the client (internal/workspace).
//
// Full list of the behaviours chosen where the reference is not confirmed:
// see the sections below.
package emulator
