package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxResponseBody bounds how much of an answer is read, so a hostile or
// broken server cannot exhaust memory.
const maxResponseBody = 8 << 20

// retryMode says which failures an operation may retry.
type retryMode int

const (
	// retryIdempotent (GETs): connection errors, 429 and 5xx.
	retryIdempotent retryMode = iota
	// retryUnsent (batch POSTs): only failures where the request certainly
	// did not reach the service (dial/DNS errors, nothing written) and 429.
	// Anything else that may have acted comes back as *ambiguousError.
	retryUnsent
)

// apiCall is one operation of the API.
type apiCall struct {
	op     string
	method string
	iam    bool   // IAM endpoint; no project header
	path   string // escaped, from the endpoint root
	query  url.Values
	in     any
	out    any
	mode   retryMode
}

// attemptResult is what one HTTP exchange gave.
type attemptResult struct {
	err        error // *APIError, *DecodeError or a network error
	status     int   // 0 without an answer
	mayHaveRun bool  // the service may have acted on the request
	retryAfter time.Duration
}

// ambiguousError is a batch POST that failed after it may have reached the
// service (5xx, reset or timeout after sending): a job may exist.
type ambiguousError struct {
	err    error
	sentAt time.Time
}

func (e *ambiguousError) Error() string { return e.err.Error() }
func (e *ambiguousError) Unwrap() error { return e.err }

// do runs call with retries according to its mode and decodes the answer
// into call.out.
func (c *Client) do(ctx context.Context, call apiCall) error {
	ctx = c.logContext(ctx)
	var body []byte
	if call.in != nil {
		var err error
		if body, err = json.Marshal(call.in); err != nil {
			return fmt.Errorf("%s: encoding the request: %w", call.op, err)
		}
	}
	for attempt := 1; ; attempt++ {
		sentAt := c.clock.Now()
		res := c.attempt(ctx, call, body, attempt)
		if res.err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", call.op, context.Cause(ctx))
		}
		retry := c.retryable(call.mode, res)
		if !retry || attempt > c.cfg.MaxRetries {
			err := res.err
			if res.status == 0 {
				err = &RequestError{Operation: call.op, Method: call.method, Path: call.path, Attempts: attempt, Err: res.err}
			}
			if call.mode == retryUnsent && res.mayHaveRun {
				return &ambiguousError{err: err, sentAt: sentAt}
			}
			return err
		}
		wait := c.backoff(attempt)
		if res.retryAfter > 0 {
			// Retry-After is a floor, not the wait: the growing, jittered
			// backoff on top keeps throttled callers from all coming back
			// at the same instant (the gateway would admit a few and
			// throttle the rest again, spending every retry within
			// seconds while the rate limit still holds).
			wait += res.retryAfter
		}
		tflog.SubsystemDebug(ctx, logSubsystem, "retrying Workspace API request", map[string]any{
			"operation": call.op, "attempt": attempt, "wait_ms": wait.Milliseconds(), "error": res.err.Error(),
		})
		if err := c.sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: waiting to retry: %w", call.op, err)
		}
	}
}

func (c *Client) retryable(mode retryMode, res attemptResult) bool {
	switch {
	case res.status == http.StatusTooManyRequests:
		return true
	case mode == retryIdempotent:
		return res.status == 0 || res.status >= 500
	default:
		return res.status == 0 && !res.mayHaveRun
	}
}

// attempt sends one signed request and reads its answer.
func (c *Client) attempt(ctx context.Context, call apiCall, body []byte, attempt int) attemptResult {
	if c.cfg.RequestTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.RequestTimeout)
		defer cancel()
	}
	var wroteHeaders atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { wroteHeaders.Store(true) }})
	req, err := c.newRequest(ctx, call, body)
	if err != nil {
		return attemptResult{err: err}
	}
	fields := map[string]any{"operation": call.op, "method": call.method, "path": call.path, "attempt": attempt}
	if len(body) > 0 {
		tflog.SubsystemTrace(ctx, logSubsystem, "Workspace API request body", map[string]any{"operation": call.op, "body": logBody(body)})
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	fields["duration_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		err = unwrapURLError(err)
		fields["error"] = err.Error()
		tflog.SubsystemDebug(ctx, logSubsystem, "Workspace API request failed", fields)
		return attemptResult{err: err, mayHaveRun: !certainlyNotSent(err, wroteHeaders.Load())}
	}
	defer resp.Body.Close()
	c.svc.observeDate(resp.Header, c.clock.Now())
	requestID := resp.Header.Get("X-Request-Id")
	fields["status"], fields["request_id"] = resp.StatusCode, requestID
	respBody, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	tflog.SubsystemDebug(ctx, logSubsystem, "Workspace API response", fields)
	tflog.SubsystemTrace(ctx, logSubsystem, "Workspace API response body", map[string]any{"operation": call.op, "body": logBody(respBody)})
	res := attemptResult{status: resp.StatusCode, mayHaveRun: true}
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		apiErr := newAPIError(call.op, resp.StatusCode, resp.Header, respBody)
		res.err = apiErr
		res.mayHaveRun = resp.StatusCode >= 500
		if resp.StatusCode == http.StatusTooManyRequests {
			res.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now())
		}
	case readErr != nil:
		res.status, res.err = 0, unwrapURLError(readErr)
	case len(respBody) > maxResponseBody:
		res.err = &DecodeError{Operation: call.op, RequestID: requestID, Err: fmt.Errorf("answer larger than %d bytes", maxResponseBody)}
	case call.out != nil:
		res.err = decodeBody(call.op, requestID, respBody, call.out)
	}
	return res
}

// decodeBody reads a 2xx JSON answer into out.
func decodeBody(op, requestID string, body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return &DecodeError{Operation: op, RequestID: requestID, Err: err}
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, call apiCall, body []byte) (*http.Request, error) {
	base := c.cfg.Endpoint
	if call.iam {
		base = c.cfg.IAMEndpoint
	}
	rawURL := base + call.path
	if len(call.query) > 0 {
		rawURL += "?" + encodeQuery(call.query)
	}
	req, err := http.NewRequestWithContext(ctx, call.method, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: building the request: %w", call.op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	signed := []string{headerHost}
	if !call.iam {
		req.Header.Set("X-Project-Id", c.ProjectID())
		signed = append(signed, "x-project-id")
	}
	if c.cfg.AuthToken != "" {
		req.Header.Set("X-Auth-Token", c.cfg.AuthToken)
		return req, nil
	}
	if c.cfg.SecurityToken != "" {
		req.Header.Set("X-Security-Token", c.cfg.SecurityToken)
		signed = append(signed, "x-security-token")
	}
	signRequest(req, body, c.cfg.AccessKey, c.cfg.SecretKey, c.clock.Now(), signed)
	return req, nil
}

// unwrapURLError drops *url.Error's `Get "https://…":` prefix; the caller
// adds the operation and path instead.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// sleep waits d on the client's clock, returning early when ctx ends.
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	if d <= 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-c.clock.After(d):
		return nil
	}
}
