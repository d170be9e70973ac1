package workspace

import "sync"

// appendedShape remembers the shape of what the service appends to a
// snapshot's requested name (resolve.go), once a job this client started
// proved it: the format is not documented (reference §6 item 7), so it is
// learned rather than assumed.
type appendedShape struct {
	mu    sync.Mutex
	shape string
}

func (a *appendedShape) get() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.shape
}

func (a *appendedShape) set(shape string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.shape = shape
}
