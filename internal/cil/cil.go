// Package cil is the Community Infrastructure Levy: charging schedules,
// chargeable developments and the chargeable amount (schedules.go,
// developments.go, calc.go), notices, liability, reliefs and surcharges
// (notices.go, reliefs.go, charges.go), and the levy's ledger with the
// neighbourhood portion (ledger.go, parishes.go). The tables are in
// migrations/00160_cil.sql; the rules that span rows and the kept totals
// in internal/store/schema/8*_cil*.sql.
//
// "The regulations" are the Community Infrastructure Levy Regulations 2010
// (SI 2010/948) as amended; each rule quotes the words it implements.
package cil

// Authority is the charging authority whose levy a schedule, notice or
// entry is: the council's own, or (in London) the Mayor of London's, which
// the borough collects on the Mayor's behalf (regulation 121A(4) keeps it
// out of the borough's statement).
type Authority string

const (
	AuthorityCouncil Authority = "council"
	AuthorityMayor   Authority = "mayor"
)

// Label is the authority's name on pages.
func (a Authority) Label() string {
	if a == AuthorityMayor {
		return "Mayor of London"
	}
	return "Council"
}

// Audit entity names of the levy's records.
const (
	EntitySchedule    = "cil_schedule"
	EntityDevelopment = "cil_development"
	EntityParish      = "cil_parish"
	EntityNotice      = "cil_notice"
	EntityRelief      = "cil_relief"
	EntityCharge      = "cil_charge"
	EntityEntry       = "cil_entry"
	EntityPolicy      = "cil_instalment_policy"
)
