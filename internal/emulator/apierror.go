package emulator

import (
	"fmt"
	"net/http"
)

// Error codes the emulator answers with. APIGW.* come from the gateway (before
// the service acts); WKS.* from the Workspace service. Codes the reference
// does not confirm are chosen here and listed in doc.go.
const (
	codeAuth          = "APIGW.0301"   // authentication failed (401)
	codeForbidden     = "APIGW.0302"   // project does not belong to the credentials (403)
	codeNoAPI         = "APIGW.0101"   // no such API (404)
	codeThrottled     = "APIGW.0308"   // rate limit reached (429)
	codeGatewayFault  = "APIGW.0201"   // backend unavailable (injected 503)
	codeBadRequest    = "WKS.0001"     // malformed or invalid request (400); not found under Dialect.NotFound "400"
	codeNotFound      = "WKS.0004"     // desktop, snapshot or job not found (404, the default dialect)
	codeBusy          = "WKS.00010032" // desktop under a running job (409)
	codeInternalFault = "WKS.0999"     // internal error (injected 500)
)

// reply is an answer a handler produces; ServeHTTP writes (or drops) it.
type reply struct {
	status int
	body   any
	header http.Header
}

// errorBody is the BaseResponse error shape of the service and the gateway.
// The gateway also echoes request_id in the body.
type errorBody struct {
	ErrorCode   string `json:"error_code"`
	ErrorMsg    string `json:"error_msg"`
	ErrorDetail string `json:"error_detail,omitempty"`
	RequestID   string `json:"request_id,omitempty"`
}

func okReply(body any) reply { return reply{status: http.StatusOK, body: body} }

func serviceError(status int, code, format string, args ...any) reply {
	return reply{status: status, body: &errorBody{ErrorCode: code, ErrorMsg: fmt.Sprintf(format, args...)}}
}

func badRequest(format string, args ...any) reply {
	return serviceError(http.StatusBadRequest, codeBadRequest, format, args...)
}

// notFound answers that a desktop, snapshot or job does not exist. The
// reference does not say how (§9 item 4), so the dialect decides: 404
// WKS.0004, or 400 WKS.0001 as Huawei's provider expects for desktop pools.
func (s *Server) notFound(format string, args ...any) reply {
	if s.dialect.NotFound == NotFound400 {
		return badRequest(format, args...)
	}
	return serviceError(http.StatusNotFound, codeNotFound, format, args...)
}

func gatewayError(status int, code, requestID, msg string) reply {
	return reply{status: status, body: &errorBody{ErrorCode: code, ErrorMsg: msg, RequestID: requestID}}
}

func authError(requestID, reason string) reply {
	return gatewayError(http.StatusUnauthorized, codeAuth, requestID, "Incorrect IAM authentication information: "+reason)
}
