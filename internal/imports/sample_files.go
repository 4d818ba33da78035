package imports

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// WriteSampleRegister writes SampleRegister's files for a register of
// about rows rows (500 agreements, then obligations and their receipts in
// equal numbers) into dir, row by row, so a register far larger than memory
// can be generated for the memory bench and tests.
func WriteSampleRegister(dir string, rows int) error {
	n := max((rows-500)/2, 1)
	write := func(name string, each func(w *bufio.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		if err := each(w); err != nil {
			f.Close()
			return err
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write("agreements.csv", func(w *bufio.Writer) error {
		w.WriteString("agreement_ref,development_ref,development_name,date_signed\n")
		for i := 0; i < 500; i++ {
			fmt.Fprintf(w, "AG%d,DEV%d,Site %d,2020-01-01\n", i, i, i)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := write("obligations.csv", func(w *bufio.Writer) error {
		w.WriteString("obligation_ref,agreement_ref,purpose,description,base_amount,spend_by_months\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, "OB%d,AG%d,education,Contribution %d,1000.00,60\n", i, i%500, i)
		}
		return nil
	}); err != nil {
		return err
	}
	return write("receipts.csv", func(w *bufio.Writer) error {
		w.WriteString("receipt_ref,received_on,payer,total,obligation_ref,amount\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, "R%d,2023-04-01,Developer Ltd,1000.00,OB%d,1000.00\n", i, i)
		}
		return nil
	})
}

// OpenFile opens a file on disk for an import and counts its rows (lines
// after the heading).
func OpenFile(path string) (File, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return File{}, 0, err
	}
	return File{Name: filepath.Base(path), Data: data}, bytes.Count(data, []byte("\n")) - 1, nil
}
