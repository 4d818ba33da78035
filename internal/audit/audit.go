// Package audit records who changed what, when, with the record as it was
// before and after. Every mutation in the product goes through Record, in
// the same transaction as the change it describes, so the trail can never
// disagree with the data. The table is append-only (enforced by a trigger).
//
// audit imports only store; it must never import web or templates.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/s106monitor/s106/internal/store"
)

// Actor is whoever makes a change: a signed-in user, or a process such as
// the seed command or an import.
type Actor struct {
	UserID     int64  // zero for a process
	Label      string // the user's name, or e.g. "system", "seed"
	RequestID  string
	RemoteAddr string
}

// System is the actor for changes made by the application itself.
var System = Actor{Label: "system"}

// Event is one entry in the audit trail.
type Event struct {
	ID         int64
	OccurredAt time.Time
	ActorID    int64
	ActorLabel string
	Action     string // e.g. "user.create", "login.success"
	EntityType string // e.g. "user", "agreement"
	EntityID   string
	Summary    string
	Before     map[string]any
	After      map[string]any
}

// Change is one field that differs between Before and After.
type Change struct {
	Field  string
	Before string
	After  string
}

// Changes lists the fields whose values differ, in field order, so a
// History view can show "Roles: officer → officer, manager".
func (e Event) Changes() []Change {
	keys := map[string]bool{}
	for k := range e.Before {
		keys[k] = true
	}
	for k := range e.After {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []Change
	for _, k := range names {
		b, a := display(e.Before[k]), display(e.After[k])
		if b != a {
			out = append(out, Change{Field: k, Before: b, After: a})
		}
	}
	return out
}

func display(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case []any:
		s := ""
		for i, item := range x {
			if i > 0 {
				s += ", "
			}
			s += display(item)
		}
		return s
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// Record writes one audit event using q, which should be the transaction
// making the change. before and after are any values that marshal to JSON
// objects (structs with json tags, or maps); either may be nil.
func Record(ctx context.Context, q store.Querier, actor Actor, action, entityType, entityID, summary string, before, after any) error {
	args, err := recordArgs(actor, action, entityType, entityID, summary, before, after)
	if err != nil {
		return err
	}
	if _, err = q.Exec(ctx, insertEvent, args...); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// Entry is one event of RecordAll: what changed on one entity.
type Entry struct {
	EntityID      string
	Summary       string
	Before, After any
}

// RecordAll writes one event per entry, all by actor with the same action
// on the same entity type, in one statement: an import's thousands of
// events cost one round trip.
func RecordAll(ctx context.Context, q store.Querier, actor Actor, action, entityType string, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	ids := make([]string, len(entries))
	summaries := make([]string, len(entries))
	befores := make([]*string, len(entries))
	afters := make([]*string, len(entries))
	for i, e := range entries {
		ids[i], summaries[i] = e.EntityID, e.Summary
		for _, side := range []struct {
			v   any
			out **string
		}{{e.Before, &befores[i]}, {e.After, &afters[i]}} {
			b, err := toJSON(side.v)
			if err != nil {
				return fmt.Errorf("audit %s: %w", action, err)
			}
			if b != nil {
				s := string(b)
				*side.out = &s
			}
		}
	}
	args, err := recordArgs(actor, action, entityType, "", "", nil, nil)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `
		INSERT INTO audit_events (actor_id, actor_label, action, entity_type, entity_id, summary, before, after, request_id, remote_addr)
		SELECT $1, $2, $3, $4, e.entity_id, e.summary, e.before::jsonb, e.after::jsonb, $5, $6
		FROM unnest($7::text[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY AS e (entity_id, summary, before, after, n)
		ORDER BY e.n`,
		args[0], args[1], args[2], args[3], args[8], args[9], ids, summaries, befores, afters)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

const insertEvent = `
		INSERT INTO audit_events (actor_id, actor_label, action, entity_type, entity_id, summary, before, after, request_id, remote_addr)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`

func recordArgs(actor Actor, action, entityType, entityID, summary string, before, after any) ([]any, error) {
	b, err := toJSON(before)
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", action, err)
	}
	a, err := toJSON(after)
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", action, err)
	}
	var actorID *int64
	if actor.UserID != 0 {
		actorID = &actor.UserID
	}
	label := actor.Label
	if label == "" {
		label = "unknown"
	}
	return []any{actorID, label, action, entityType, entityID, summary, b, a, actor.RequestID, actor.RemoteAddr}, nil
}

func toJSON(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

// ForEntity returns the newest events about one record, newest first.
func ForEntity(ctx context.Context, q store.Querier, entityType, entityID string, limit int) ([]Event, error) {
	return query(ctx, q, `WHERE entity_type = $1 AND entity_id = $2`, limit, entityType, entityID)
}

// ByActor returns the newest events made by one user, newest first.
func ByActor(ctx context.Context, q store.Querier, userID int64, limit int) ([]Event, error) {
	return query(ctx, q, `WHERE actor_id = $1`, limit, userID)
}

func query(ctx context.Context, q store.Querier, where string, limit int, args ...any) ([]Event, error) {
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := q.Query(ctx, `
		SELECT id, occurred_at, coalesce(actor_id, 0), actor_label, action, entity_type, entity_id, summary, before, after
		FROM audit_events `+where+`
		ORDER BY occurred_at DESC, id DESC
		LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("read audit events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var before, after []byte
		if err := rows.Scan(&e.ID, &e.OccurredAt, &e.ActorID, &e.ActorLabel, &e.Action, &e.EntityType, &e.EntityID, &e.Summary, &before, &after); err != nil {
			return nil, fmt.Errorf("read audit events: %w", err)
		}
		if len(before) > 0 {
			_ = json.Unmarshal(before, &e.Before)
		}
		if len(after) > 0 {
			_ = json.Unmarshal(after, &e.After)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
