package homes

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/links"
	"github.com/s106monitor/s106/internal/mail"
	"github.com/s106monitor/s106/internal/store"
)

// LinkRequest is an officer's request to send a link.
type LinkRequest struct {
	HolderName  string
	HolderEmail string
	Days        int // 30 when zero
}

// SendDeveloperLink issues a link for the developer of a development to
// give its plots' details and market occupations, and puts the e-mail
// carrying it in the outbox, in one transaction. baseURL is the service's
// public address.
func (s *Service) SendDeveloperLink(ctx context.Context, actor audit.Actor, developmentID int64, req LinkRequest, baseURL string) (links.Link, error) {
	var name string
	if err := s.DB.Pool.QueryRow(ctx, `SELECT name FROM developments WHERE id = $1`, developmentID).Scan(&name); err != nil {
		return links.Link{}, store.ErrNotFound
	}
	body := func(url string, expires time.Time) string {
		return "Hello " + req.HolderName + ",\n\n" +
			"The council asks you to confirm the homes at " + name + ": for each plot its address, UPRN, registered provider and completion date, " +
			"and how many market homes are occupied.\n\n" +
			"Use this link (it works only for " + name + " and until " + expires.Format("2 January 2006") + "):\n" + url + "\n\n" +
			"Do not forward it: anyone with the link can send answers in your name. What you send is checked by the council's housing team before anything changes.\n"
	}
	return s.sendLink(ctx, actor, links.Spec{Purpose: PurposeDeveloperHomes, ScopeType: links.ScopeDevelopment, ScopeID: developmentID},
		req, baseURL, "Confirm the homes at "+name, body)
}

// SendProviderLink issues a link for a registered provider to confirm the
// homes it holds, and puts the e-mail in the outbox.
func (s *Service) SendProviderLink(ctx context.Context, actor audit.Actor, providerID int64, req LinkRequest, baseURL string) (links.Link, error) {
	p, err := providerByID(ctx, s.DB.Pool, providerID)
	if err != nil {
		return links.Link{}, err
	}
	body := func(url string, expires time.Time) string {
		return "Hello " + req.HolderName + ",\n\n" +
			"The council asks " + p.Name + " to confirm each affordable home it holds from planning agreements: your reference, " +
			"the transfer date, the first let, the tenure and the rent.\n\n" +
			"Use this link (it shows only " + p.Name + "'s homes and works until " + expires.Format("2 January 2006") + "):\n" + url + "\n\n" +
			"Do not forward it. What you send is checked by the council's housing team before anything changes.\n"
	}
	return s.sendLink(ctx, actor, links.Spec{Purpose: PurposeProviderHomes, ScopeType: links.ScopeProvider, ScopeID: providerID},
		req, baseURL, "Confirm the homes "+p.Name+" holds", body)
}

func (s *Service) sendLink(ctx context.Context, actor audit.Actor, spec links.Spec, req LinkRequest, baseURL, subject string,
	body func(url string, expires time.Time) string) (links.Link, error) {
	spec.HolderName, spec.HolderEmail = req.HolderName, req.HolderEmail
	if req.Days != 0 {
		spec.Lifetime = time.Duration(req.Days) * 24 * time.Hour
	}
	var l links.Link
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var token string
		var err error
		if l, token, err = links.Issue(ctx, tx, actor, s.now(), spec); err != nil {
			return err
		}
		url := strings.TrimRight(baseURL, "/") + "/l/" + token
		return mail.Enqueue(ctx, tx, mail.Message{Key: "link:" + strconv.FormatInt(l.ID, 10), To: l.HolderEmail,
			Subject: subject, Body: body(url, l.ExpiresAt)})
	})
	if err != nil {
		return links.Link{}, fmt.Errorf("send link: %w", err)
	}
	return l, nil
}
