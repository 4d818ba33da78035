package imports

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ReadXLSX reads an Excel workbook: each worksheet is one table, named
// "book.xlsx (Sheet)" and matched to a template sheet by its worksheet
// name (or, for a one-sheet workbook, by the file name or headings).
// Cells are read raw, so dates arrive as Excel serial numbers, which the
// date reader understands.
func ReadXLSX(name string, data []byte) ([]Table, error) {
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: row 1: not a readable Excel workbook: %v", name, err)
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	var out []Table
	for _, sh := range sheets {
		rows, err := wb.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("%s (%s): row 1: %v", name, sh, err)
		}
		t := Table{Name: name, Hint: name}
		if len(sheets) > 1 {
			t.Name, t.Hint = fmt.Sprintf("%s (%s)", name, sh), sh
		}
		for i, row := range rows {
			if t.Headings == nil {
				blank := true
				for _, v := range row {
					blank = blank && strings.TrimSpace(v) == ""
				}
				if blank {
					continue
				}
				if i != 0 {
					return nil, fmt.Errorf("%s: row 1: the heading row is blank; headings must be on the first row", t.Name)
				}
				t.Headings = row
				continue
			}
			blank := true
			for _, v := range row {
				blank = blank && strings.TrimSpace(v) == ""
			}
			if blank {
				continue
			}
			if len(t.Rows) >= MaxRows {
				return nil, fmt.Errorf("%s: row %d: more than %d rows; split the file", t.Name, i+1, MaxRows)
			}
			t.Rows = append(t.Rows, row)
			t.RowNums = append(t.RowNums, i+1)
		}
		if t.Headings == nil {
			continue // an empty worksheet
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: row 1: the workbook is empty; it needs a heading row", name)
	}
	return out, nil
}
