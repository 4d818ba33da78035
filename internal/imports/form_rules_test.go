package imports

import (
	"context"
	"testing"

	"github.com/s106monitor/s106/internal/testdb"
)

// TestObligationRowsFollowTheObligationFormsRules checks that the import
// refuses what the obligation form refuses, with the form's own words, in
// the row's column: the rules live once, in agreements.ObligationInput.
func TestObligationRowsFollowTheObligationFormsRules(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	files := []File{
		csvFile("agreements.csv",
			"agreement_ref,development_ref,development_name,date_signed",
			"S1,DEV-1,Elm Road,2021-03-01"),
		csvFile("obligations.csv",
			"obligation_ref,agreement_ref,purpose,description,base_amount,spend_by_months,trigger_type,trigger_quantity,trigger_detail,index_series,base_date,school_places,school_category,return_unspent",
			"O1,S1,education,Money,100,12,occupation-count,,,,,,,",                             // row 2: no number of dwellings
			"O2,S1,education,Money,100,12,occupation-percent,150,,,,,,",                        // row 3: over 100%
			"O3,S1,education,Money,100,12,other,,,,,,,",                                        // row 4: no description of the trigger
			"O4,S1,education,Money,100,12,,,,rpi,,,,",                                          // row 5: indexed with no base
			"O5,S1,education,Money,100,12,,,,none,2020-01-01,,,",                               // row 6: a base with no index
			"O6,S1,education,Money,100,12,,,,,,40,,",                                           // row 7: school places with no category
			"O7,S1,education,Money,100,,,,,,,,,yes",                                            // row 8: return unspent with no period
			"O8,S1,education,Money,100,12,occupation-count,25,,rpi,2020-01-01,40,primary,yes"), // row 9: fine
	}
	rep, err := Run(context.Background(), db, files, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	wantFormErrors(t, rep, "obligations.csv", 9, []formError{
		{2, "trigger_quantity", "Enter how many dwellings must be occupied"},
		{3, "trigger_quantity", "Percentage of market dwellings must be 100 or less"},
		{4, "trigger_detail", "Describe the trigger"},
		{5, "base_date", "Enter the base date or the base index value for indexation"},
		{6, "index_series", "Choose an index for the base date or index value you entered, or remove them"},
		{7, "school_category", "Select the category of school for the school places"},
		{8, "spend_by_months", "Enter the spend-by period: unspent money cannot be returned without one"},
	})
}

// TestAgreementRowsFollowTheAgreementFormsRules is the same for
// agreements: the signing date and the deed's address are checked by
// agreements.AgreementInput, in its words.
func TestAgreementRowsFollowTheAgreementFormsRules(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	files := []File{csvFile("agreements.csv",
		"agreement_ref,development_ref,development_name,status,date_signed,deed_url",
		"S1,DEV-1,Elm Road,live,,",                                   // row 2: live but never signed
		"S2,DEV-1,Elm Road,live,2199-01-01,",                         // row 3: signed in the future
		"S3,DEV-1,Elm Road,live,2021-03-01,ftp://deeds.example/S3",   // row 4: not a web address
		"S4,DEV-1,Elm Road,draft,,https://deeds.example/s106/S4.pdf", // row 5: fine
	)}
	rep, err := Run(context.Background(), db, files, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	wantFormErrors(t, rep, "agreements.csv", 5, []formError{
		{2, "date_signed", "Enter the date the agreement was signed (only a draft can be without one)"},
		{3, "date_signed", "Date signed must be today or in the past"},
		{4, "deed_url", "Enter the link to the signed deed as a web address starting with https://"},
	})
}

// formError is an error a row should get: its row, column and message.
type formError struct {
	row         int
	column, msg string
}

// wantFormErrors fails unless file's rows have the errors, and the row
// clean (the one the form accepts) has none.
func wantFormErrors(t *testing.T, rep Report, file string, clean int, want []formError) {
	t.Helper()
	for _, c := range want {
		if !findIssue(rep, file, c.row, c.column, c.msg) {
			t.Errorf("no error on row %d, column %s: %q; got:\n%s", c.row, c.column, c.msg, issues(rep))
		}
	}
	for _, i := range rep.Issues {
		if i.Row == clean && !i.Warning {
			t.Errorf("row %d is one the form accepts, but: %s", clean, i)
		}
	}
}
