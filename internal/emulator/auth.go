package emulator

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// authenticate accepts a request signed with the configured AK/SK, or one
// carrying the configured X-Auth-Token. Failures are 401 APIGW.0301 with the
// reason in error_msg; secrets never appear in answers or logs.
func (s *Server) authenticate(r *http.Request, body []byte, now time.Time, requestID string) (reply, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if reason := s.verifySigned(r, body, h, now); reason != "" {
			return authError(requestID, reason), false
		}
		return reply{}, true
	}
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		if s.cfg.AuthToken == "" {
			return authError(requestID, "token authentication is not enabled on this endpoint; sign the request with an AK/SK"), false
		}
		if subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.AuthToken)) != 1 {
			return authError(requestID, "the X-Auth-Token is invalid or has expired"), false
		}
		return reply{}, true
	}
	return authError(requestID, "the request carries neither an Authorization header (AK/SK signature) nor an X-Auth-Token"), false
}

// verifySigned returns why a signed request is rejected, or "" if it is not.
func (s *Server) verifySigned(r *http.Request, body []byte, header string, now time.Time) string {
	a, err := parseAuthorization(header)
	if err != nil {
		return "malformed Authorization header: " + err.Error()
	}
	if a.AccessKey != s.cfg.AccessKey {
		return fmt.Sprintf("unknown access key [%s]", a.AccessKey)
	}
	date := r.Header.Get(headerSdkDate)
	if date == "" {
		return "the X-Sdk-Date header is missing"
	}
	if !a.signsHeader("x-sdk-date") {
		return "x-sdk-date is not among the SignedHeaders"
	}
	signedAt, err := time.Parse(sdkDateLayout, date)
	if err != nil {
		return fmt.Sprintf("X-Sdk-Date [%s] is not in the format yyyyMMddTHHmmssZ", date)
	}
	if skew := now.Sub(signedAt).Abs(); skew > s.cfg.MaxClockSkew {
		return fmt.Sprintf("X-Sdk-Date [%s] is %s away from the server time [%s], more than the allowed %s",
			date, skew.Round(time.Second), now.UTC().Format(sdkDateLayout), s.cfg.MaxClockSkew)
	}
	canonical, err := verifySignature(r, body, a, s.cfg.SecretKey)
	if err != nil {
		if err == errSignatureMismatch {
			s.logf("signature mismatch for access key %s: canonical request %q", a.AccessKey, redactCanonical(canonical))
		}
		return err.Error()
	}
	if tok := r.Header.Get("X-Security-Token"); s.cfg.SecurityToken != "" && tok != "" &&
		subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.SecurityToken)) != 1 {
		return "the X-Security-Token is invalid or has expired"
	}
	return ""
}

// redactCanonical hides a signed security token before the canonical request
// is logged.
func redactCanonical(canonical string) string {
	lines := strings.Split(canonical, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "x-security-token:") || strings.HasPrefix(l, "x-auth-token:") {
			lines[i] = l[:strings.IndexByte(l, ':')+1] + "[redacted]"
		}
	}
	return strings.Join(lines, "\n")
}

// logf writes a line to the request log. Callers never pass secrets.
func (s *Server) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.cfg.Log, format+"\n", args...)
}
