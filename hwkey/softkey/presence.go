package softkey

import (
	"context"
	"time"
)

// operation carries what a request needs from its transport: a context that
// CTAPHID_CANCEL cancels, and a way to report that it waits for a touch (so
// that keepalives say UPNEEDED).
type operation struct {
	ctx      context.Context
	upNeeded func(bool)
}

func directOperation() *operation {
	return &operation{ctx: context.Background(), upNeeded: func(bool) {}}
}

const (
	// u2fPollWindow is how long a U2F request waits for a touch query before
	// answering "conditions not satisfied"; the host polls again.
	u2fPollWindow = 150 * time.Millisecond
	// u2fTouchValid is how long a touch given while nobody polled stays usable.
	u2fTouchValid = 10 * time.Second
)

// userPresence asks for a touch and blocks until it is given, refused, timed
// out or cancelled; it returns a CTAP2 status.
func (k *Key) userPresence(op *operation, purpose string) byte {
	if k.touchFn == nil {
		return statusOK
	}
	if op.ctx.Err() != nil {
		return errKeepaliveCancel
	}
	op.upNeeded(true)
	defer op.upNeeded(false)
	ctx, cancel := context.WithTimeout(op.ctx, k.touchTimeout)
	defer cancel()
	res := make(chan bool, 1)
	go func() { res <- k.touchFn(ctx, purpose) }()
	var ok bool
	select {
	case ok = <-res:
	case <-ctx.Done():
	}
	switch {
	case op.ctx.Err() != nil:
		return errKeepaliveCancel
	case ok && ctx.Err() == nil:
		return statusOK
	case ctx.Err() != nil:
		return errUserActionTimeout
	default:
		return errOperationDenied
	}
}

// presenceQuery is a touch request running in the background for U2F, whose
// requests are answered at once and polled by the host.
type presenceQuery struct {
	purpose  string
	cancel   context.CancelFunc
	done     chan struct{}
	result   bool      // valid once done is closed
	finished time.Time // valid once done is closed
}

// u2fPresence reports whether the user touched the key for purpose. The
// first call starts a touch query; calls report false ("conditions not
// satisfied") until the query answers yes, and that touch is consumed by the
// call that observes it.
func (k *Key) u2fPresence(purpose string) bool {
	if k.touchFn == nil {
		return true
	}
	k.mu.Lock()
	q := k.pendingPresent
	if q != nil {
		stale := q.purpose != purpose
		select {
		case <-q.done:
			stale = stale || !q.result || time.Since(q.finished) > u2fTouchValid
		default:
		}
		if stale {
			q.cancel()
			q, k.pendingPresent = nil, nil
		}
	}
	if q == nil {
		q = k.startPresence(purpose)
		k.pendingPresent = q
	}
	k.mu.Unlock()

	t := time.NewTimer(u2fPollWindow)
	defer t.Stop()
	select {
	case <-q.done:
	case <-t.C:
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pendingPresent != q {
		return false // consumed by a concurrent request, or reset
	}
	k.pendingPresent = nil
	return q.result
}

func (k *Key) startPresence(purpose string) *presenceQuery {
	ctx, cancel := context.WithTimeout(context.Background(), k.touchTimeout)
	q := &presenceQuery{purpose: purpose, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer cancel()
		ok := k.touchFn(ctx, purpose)
		q.result = ok && ctx.Err() == nil
		q.finished = time.Now()
		close(q.done)
	}()
	return q
}
