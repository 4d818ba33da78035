package imports

import (
	"fmt"
	"strings"
)

// SampleRegister is a generated register in the import template: 500
// agreements, n financial obligations and a receipt for each — 10,000 rows
// in all for n = 4,750. The tests and `make bench` time imports with it.
func SampleRegister(n int) []File {
	var ob, rc strings.Builder
	ob.WriteString("obligation_ref,agreement_ref,purpose,description,base_amount,spend_by_months\n")
	rc.WriteString("receipt_ref,received_on,payer,total,obligation_ref,amount\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&ob, "OB%d,AG%d,education,Contribution %d,1000.00,60\n", i, i%500, i)
		fmt.Fprintf(&rc, "R%d,2023-04-01,Developer Ltd,1000.00,OB%d,1000.00\n", i, i)
	}
	var ag strings.Builder
	ag.WriteString("agreement_ref,development_ref,development_name,date_signed\n")
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&ag, "AG%d,DEV%d,Site %d,2020-01-01\n", i, i, i)
	}
	return []File{{Name: "agreements.csv", Data: []byte(ag.String())}, {Name: "obligations.csv", Data: []byte(ob.String())}, {Name: "receipts.csv", Data: []byte(rc.String())}}
}

// SampleLedger is a ledger file for the first n obligations of
// SampleRegister (each holding £1,000): an allocation of £600 to the
// project "School" and a spend of £450.25 from it, 2n rows, with the
// projects file that names the project. `make bench` times it.
func SampleLedger(n int) []File {
	var b strings.Builder
	b.WriteString("entry_ref,obligation_ref,kind,entry_date,amount,project\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "A%d,OB%d,allocation,2023-05-01,600.00,School\n", i, i)
		fmt.Fprintf(&b, "S%d,OB%d,spend,2023-06-01,450.25,School\n", i, i)
	}
	return []File{{Name: "projects.csv", Data: []byte("project,purpose\nSchool,education\n")}, {Name: "ledger.csv", Data: []byte(b.String())}}
}
