//go:build linux || freebsd || openbsd || netbsd || dragonfly

package secretservice

import (
	"errors"
	"fmt"

	"github.com/godbus/dbus/v5"
)

const (
	busName         = "org.freedesktop.secrets"
	servicePath     = dbus.ObjectPath("/org/freedesktop/secrets")
	serviceIface    = "org.freedesktop.Secret.Service"
	collectionIface = "org.freedesktop.Secret.Collection"
	itemIface       = "org.freedesktop.Secret.Item"
	// The collections go-keyring stores in: "login" when there is one,
	// else the default alias.
	loginPath   = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	defaultPath = dbus.ObjectPath("/org/freedesktop/secrets/aliases/default")
)

// secret is the Secret Service's (oayays) secret struct.
type secret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// Lookup returns the secrets of the items whose attributes are
// {service: service, username: user}, for each user. A user with no item
// is absent from the map. The caller must have checked that a session bus
// exists (with none, godbus would start one).
//
// Round trips to the Secret Service: one for the session and the searches
// together, one for the secrets, asked of each item at once (and one more searching the default
// collection when there is no "login" collection).
func Lookup(service string, users ...string) (map[string][]byte, error) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return nil, err
	}
	if err := conn.Hello(); err != nil {
		return nil, err
	}
	svc := conn.Object(busName, servicePath)
	ch := make(chan *dbus.Call, 2+len(users))
	open := svc.Go(serviceIface+".OpenSession", 0, ch, "plain", dbus.MakeVariant(""))
	searches := search(conn, loginPath, service, users, ch)
	for range 2 + len(users) {
		<-ch
	}
	if open.Err != nil {
		return nil, fmt.Errorf("opening a secret service session: %w", open.Err)
	}
	var (
		ignored dbus.Variant
		session dbus.ObjectPath
	)
	if err := open.Store(&ignored, &session); err != nil {
		return nil, err
	}
	// The session is not closed by a call: the Secret Service closes a
	// client's sessions when it disconnects, and a Close that crosses the
	// disconnect made gnome-keyring abort (a GLib assertion) under load.

	items, err := found(searches)
	if errors.Is(err, ErrLocked) {
		return nil, err
	}
	if err != nil {
		// No "login" collection (KeePassXC, a renamed one): search the
		// default, as go-keyring does.
		searches = search(conn, defaultPath, service, users, ch)
		for range 1 + len(users) {
			<-ch
		}
		if items, err = found(searches); err != nil {
			return nil, err
		}
	}
	var paths []dbus.ObjectPath
	for _, p := range items {
		if p != "" {
			paths = append(paths, p)
		}
	}
	out := make(map[string][]byte, len(users))
	if len(paths) == 0 {
		return out, nil
	}
	// Each item's GetSecret, all sent at once: one round trip, as the
	// Service's GetSecrets would be.
	gets := make([]*dbus.Call, len(paths))
	gch := make(chan *dbus.Call, len(paths))
	for i, p := range paths {
		gets[i] = conn.Object(busName, p).Go(itemIface+".GetSecret", 0, gch, session)
	}
	for range paths {
		<-gch
	}
	secrets := make(map[dbus.ObjectPath]secret, len(paths))
	for i, c := range gets {
		var sec secret
		if err := c.Store(&sec); err != nil {
			if e, ok := err.(dbus.Error); ok && e.Name == "org.freedesktop.Secret.Error.IsLocked" {
				return nil, ErrLocked
			}
			return nil, fmt.Errorf("reading secrets: %w", err)
		}
		secrets[paths[i]] = sec
	}
	return collect(users, items, secrets)
}

// search sends the collection's Locked property query, then one
// SearchItems per user, without waiting: 1+len(users) replies arrive on ch.
func search(conn *dbus.Conn, coll dbus.ObjectPath, service string, users []string, ch chan *dbus.Call) []*dbus.Call {
	o := conn.Object(busName, coll)
	calls := make([]*dbus.Call, 1+len(users))
	calls[0] = o.Go("org.freedesktop.DBus.Properties.Get", 0, ch, collectionIface, "Locked")
	for i, u := range users {
		calls[1+i] = o.Go(collectionIface+".SearchItems", 0, ch, map[string]string{"username": u, "service": service})
	}
	return calls
}

// found is the first item of each search ("" when there is none). A
// locked collection is ErrLocked: what a search finds there, or does not,
// says nothing until it is unlocked.
func found(calls []*dbus.Call) ([]dbus.ObjectPath, error) {
	var locked dbus.Variant
	if err := calls[0].Store(&locked); err != nil {
		return nil, fmt.Errorf("reading the keyring's lock state: %w", err)
	}
	if l, ok := locked.Value().(bool); !ok || l {
		return nil, ErrLocked
	}
	calls = calls[1:]
	items := make([]dbus.ObjectPath, len(calls))
	for i, c := range calls {
		var res []dbus.ObjectPath
		if err := c.Store(&res); err != nil {
			return nil, fmt.Errorf("searching the keyring: %w", err)
		}
		if len(res) > 0 {
			items[i] = res[0]
		}
	}
	return items, nil
}

// collect maps the secrets GetSecrets returned back to users. An item
// that was found but whose secret did not come back is locked (the
// Secret Service leaves locked items out).
func collect(users []string, items []dbus.ObjectPath, secrets map[dbus.ObjectPath]secret) (map[string][]byte, error) {
	out := make(map[string][]byte, len(users))
	for i, u := range users {
		if items[i] == "" {
			continue
		}
		s, ok := secrets[items[i]]
		if !ok {
			for _, v := range out {
				clear(v)
			}
			return nil, ErrLocked
		}
		out[u] = s.Value
	}
	return out, nil
}
