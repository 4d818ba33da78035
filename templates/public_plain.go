package templates

import (
	"fmt"
	"strings"

	"github.com/s106monitor/s106/internal/public"
)

// Plain words (issue 25, item 5): each obligation on a public page is
// said in plain English from its data — what, how much, when it is due,
// what has happened — so a resident need not read the clause. The clause
// as written is still shown beside it. TestPublicWordsAreEasyToRead checks
// the reading ease of these sentences and of the glossary.

// PlainObligation says what the developer must do, when and what has
// happened, in three short sentences.
func PlainObligation(o public.Obligation) string {
	parts := []string{plainWhat(o)}
	if due := plainDue(o); due != "" {
		parts = append(parts, due)
	}
	parts = append(parts, plainSoFar(o))
	return strings.Join(parts, " ")
}

func plainWhat(o public.Obligation) string {
	purpose := strings.ToLower(o.Purpose)
	switch {
	case o.Amount != nil && (o.Kind == "financial" || o.Kind == "monitoring-fee"):
		if o.Kind == "monitoring-fee" {
			return "The developer must pay the council " + Money(*o.Amount) + " to check that the deal is kept."
		}
		return "The developer must pay " + Money(*o.Amount) + " for " + purpose + "."
	case o.Kind == "financial":
		return "The developer must pay money for " + purpose + "."
	case o.Kind == "affordable-housing":
		return "The developer must build affordable homes."
	case o.Kind == "works-in-kind":
		return "The developer must do building work for " + purpose + "."
	case o.Kind == "restriction":
		return "The developer must keep to a rule about how the site is used."
	}
	return "The developer must do something for " + purpose + "."
}

func plainDue(o public.Obligation) string {
	q := 0
	if o.TriggerQuantity != nil {
		q = *o.TriggerQuantity
	}
	switch o.TriggerType {
	case "on-signing":
		return "It was due when the deal was signed."
	case "commencement":
		return "It is due when building starts."
	case "occupation-count":
		return fmt.Sprintf("It is due when people move into the %s home.", ordinal(q))
	case "occupation-percent":
		return fmt.Sprintf("It is due when people live in %d%% of the homes for sale.", q)
	case "phase-completion":
		return fmt.Sprintf("It is due when part %d of the site is built.", q)
	case "fixed-date":
		if o.TriggerDate != nil {
			return "It is due by " + o.TriggerDate.Format("2 January 2006") + "."
		}
	case "months-after-event":
		return fmt.Sprintf("It is due %d months after an event set out in the deal.", q)
	}
	return ""
}

func plainSoFar(o public.Obligation) string {
	switch o.Status {
	case "pending":
		return "It is not due yet."
	case "triggered", "invoiced":
		return "It is now due. No money has come in yet."
	case "part-paid", "paid", "allocated":
		return "The council has got " + Money(o.Received) + " so far. None of it has been spent yet."
	case "part-spent":
		return "The council has got " + Money(o.Received) + " and spent " + Money(o.Spent) + " of it."
	case "spent":
		return "The council has got " + Money(o.Received) + " and spent all of it."
	case "delivered", "discharged":
		return "This has been done."
	case "returned":
		return "The money was paid back to the developer."
	}
	return ""
}

// ordinal is 1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st.
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// GlossaryTerm is a word the public pages use, said simply.
type GlossaryTerm struct {
	ID      string // the anchor on /public/glossary
	Term    string
	Meaning string
}

// Glossary is the public glossary, in alphabetical order.
var Glossary = []GlossaryTerm{
	{"affordable-housing", "Affordable housing", "Homes to rent or buy for less than the market price. They are for people who cannot afford a home at full price."},
	{"agreement", "Agreement (section 106)", "A legal deal between the council and the owner of the land. The owner agrees to pay money or do things to make a new building work for the area."},
	{"commuted-sum", "Commuted sum", "Money a developer pays instead of building something, such as affordable homes. The council then uses it to provide them somewhere else."},
	{"discharged", "Discharged", "All that the deal asked for has been done, so the council has signed it off."},
	{"held", "Held", "Money the council has got but not yet spent. It must be spent by a set date or paid back."},
	{"index-linked", "Index-linked", "The sum goes up with prices over time, so that it is worth the same when it is paid."},
	{"obligation", "Obligation", "One thing the deal asks for: a sum of money, some homes, or some work."},
	{"parish", "Parish", "A small area with its own parish or town council."},
	{"registered-provider", "Registered provider", "A housing association or council that owns and runs affordable homes."},
	{"trigger", "Trigger", "The event that makes a payment or a task due. It might be when building starts, or when people move into a set number of homes."},
	{"ward", "Ward", "An area of the district that elects its own councillors."},
}

// GlossaryHref links to a term on the glossary page.
func GlossaryHref(id string) string { return "/public/glossary#" + id }
