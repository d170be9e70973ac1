package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error codes the client acts on.
const (
	// CodeDesktopBusy is 409 "Operation conflict": a desktop's state denies
	// the operation for now (another job runs on it).
	CodeDesktopBusy = "WKS.00010032"
	// CodeThrottled is the gateway's 429 rate limit.
	CodeThrottled = "APIGW.0308"
)

// APIError is every non-2xx answer of the service or its gateway. Error()
// reads well in a Terraform diagnostic: status, code, message, detail, request ID.
type APIError struct {
	Operation                   string // SDK operation name, e.g. BatchCreateDesktopSnapshot
	HTTPStatus                  int
	ErrorCode                   string
	ErrorMsg                    string
	ErrorDetail                 string
	EncodedAuthorizationMessage string
	RequestID                   string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: HTTP %d", e.Operation, e.HTTPStatus)
	if e.ErrorCode != "" {
		b.WriteString(" " + e.ErrorCode)
	}
	msg := e.ErrorMsg
	if msg == "" {
		msg = http.StatusText(e.HTTPStatus)
	}
	if msg != "" {
		b.WriteString(": " + msg)
	}
	var extra []string
	if e.ErrorDetail != "" {
		extra = append(extra, "detail: "+e.ErrorDetail)
	}
	if e.EncodedAuthorizationMessage != "" {
		extra = append(extra, "encoded authorization message: "+e.EncodedAuthorizationMessage)
	}
	if e.RequestID != "" {
		extra = append(extra, "request ID: "+e.RequestID)
	}
	if len(extra) > 0 {
		b.WriteString(" (" + strings.Join(extra, "; ") + ")")
	}
	return b.String()
}

// Service names the service that answered: IAM for the project lookup,
// Workspace for everything else.
func (e *APIError) Service() string { return ServiceOf(e.Operation) }

// ServiceOf names the service of an SDK operation: "IAM" for the Keystone
// operations (the project lookup), "Workspace" for the others.
func ServiceOf(operation string) string {
	if strings.HasPrefix(operation, "Keystone") {
		return "IAM"
	}
	return "Workspace"
}

// FromIAM reports an error of a call to IAM, answered or not.
func FromIAM(err error) bool {
	if e, ok := asAPIError(err); ok {
		return e.Service() == "IAM"
	}
	var r *RequestError
	return errors.As(err, &r) && ServiceOf(r.Operation) == "IAM"
}

// maxErrorText bounds each text of an error (the service documents at most
// 1000 characters), so a hostile body cannot make a huge diagnostic.
const maxErrorText = 1024

// newAPIError reads an error answer. It understands the service body
// (error_code, error_msg, error_detail, encoded_authorization_message), the
// gateway's code/message/request_id and Keystone's {"error":{...}}; any
// other body becomes the message, shortened.
func newAPIError(op string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{Operation: op, HTTPStatus: status, RequestID: header.Get("X-Request-Id")}
	var b errorBody
	if err := json.Unmarshal(body, &b); err == nil {
		e.ErrorCode = firstNonEmpty(b.ErrorCode.String(), b.Code.String())
		e.ErrorMsg = firstNonEmpty(b.ErrorMsg.String(), b.Message.String())
		e.ErrorDetail = b.ErrorDetail.String()
		e.EncodedAuthorizationMessage = b.EncodedAuthorizationMessage.String()
		if e.RequestID == "" {
			e.RequestID = b.RequestID.String()
		}
		if nested := b.Error; nested != nil {
			e.ErrorCode = firstNonEmpty(e.ErrorCode, nested.Code.String())
			e.ErrorMsg = firstNonEmpty(e.ErrorMsg, nested.Message.String(), nested.Title.String())
		}
		if e.ErrorCode != "" || e.ErrorMsg != "" {
			return e.shortened()
		}
	}
	e.ErrorMsg = strings.TrimSpace(string(body))
	return e.shortened()
}

// shortened bounds every text of e, whichever way it was read (a body with
// only a request_id falls back to the raw message, but keeps that ID).
func (e *APIError) shortened() *APIError {
	for _, field := range []*string{&e.ErrorCode, &e.ErrorMsg, &e.ErrorDetail, &e.EncodedAuthorizationMessage, &e.RequestID} {
		*field = shorten(*field)
	}
	return e
}

// shorten cuts s to maxErrorText bytes of valid UTF-8.
func shorten(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxErrorText {
		return s
	}
	cut := maxErrorText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

type errorBody struct {
	ErrorCode                   looseString `json:"error_code"`
	ErrorMsg                    looseString `json:"error_msg"`
	ErrorDetail                 looseString `json:"error_detail"`
	EncodedAuthorizationMessage looseString `json:"encoded_authorization_message"`
	Code                        looseString `json:"code"`
	Message                     looseString `json:"message"`
	RequestID                   looseString `json:"request_id"`
	Error                       *struct {
		Code    looseString `json:"code"`
		Message looseString `json:"message"`
		Title   looseString `json:"title"`
	} `json:"error"`
}

// looseString accepts a JSON string, number or bool (gateways are not
// consistent about code types) and ignores anything else.
type looseString string

func (s *looseString) UnmarshalJSON(data []byte) error {
	var str string
	if err := json.Unmarshal(data, &str); err == nil {
		*s = looseString(str)
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(data, &num); err == nil {
		*s = looseString(num.String())
		return nil
	}
	var b bool
	if err := json.Unmarshal(data, &b); err == nil {
		*s = looseString(strconv.FormatBool(b))
	}
	return nil
}

func (s looseString) String() string { return strings.TrimSpace(string(s)) }

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func asAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

func hasStatus(err error, statuses ...int) bool {
	e, ok := asAPIError(err)
	if !ok {
		return false
	}
	for _, s := range statuses {
		if e.HTTPStatus == s {
			return true
		}
	}
	return false
}

// IsConflict reports an HTTP 409 answer.
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

// IsBusy reports 409 WKS.00010032: a desktop is under another operation;
// the same request may succeed later.
func IsBusy(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.HTTPStatus == http.StatusConflict && e.ErrorCode == CodeDesktopBusy
}

// IsThrottled reports a rate-limit answer (HTTP 429 or APIGW.0308).
func IsThrottled(err error) bool {
	e, ok := asAPIError(err)
	return ok && (e.HTTPStatus == http.StatusTooManyRequests || e.ErrorCode == CodeThrottled)
}

// IsUnauthorized reports a refused identity or permission (HTTP 401 or
// 403): bad credentials, a bad signature, or a project the credentials do
// not belong to. Retrying does not help.
func IsUnauthorized(err error) bool {
	return hasStatus(err, http.StatusUnauthorized, http.StatusForbidden)
}

// RequestError is a call that got no HTTP answer (connection refused, reset,
// DNS, TLS, timeout). It names the operation and how many attempts were
// made; Unwrap gives the network error.
type RequestError struct {
	Operation string
	Method    string
	Path      string
	Attempts  int
	Err       error
}

func (e *RequestError) Error() string {
	attempts := ""
	if e.Attempts > 1 {
		attempts = fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	return fmt.Sprintf("%s: %s %s: no answer from the service%s: %v", e.Operation, e.Method, e.Path, attempts, e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// DecodeError is a 2xx answer whose body is not the expected JSON.
type DecodeError struct {
	Operation string
	RequestID string
	Err       error
}

func (e *DecodeError) Error() string {
	s := fmt.Sprintf("%s: the service answered with a body that is not valid JSON for this operation: %v", e.Operation, e.Err)
	if e.RequestID != "" {
		s += " (request ID: " + e.RequestID + ")"
	}
	return s
}

func (e *DecodeError) Unwrap() error { return e.Err }
