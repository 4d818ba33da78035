package imports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// checkWorkbookParts refuses a workbook whose unpacked parts go beyond the
// limits, before excelize reads any of them: excelize holds every part but
// the worksheets in memory whole, so one 200 MB shared string would take
// gigabytes. The sizes are the zip's own, which archive/zip enforces as it
// unpacks (a part that unpacks larger than it says is an error).
func checkWorkbookParts(name string, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("%s: row 1: not a readable Excel workbook: %v", name, err)
	}
	for _, f := range zr.File {
		part := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		size := f.UncompressedSize64
		switch {
		case strings.HasPrefix(part, "xl/worksheets/sheet"):
			if size > MaxWorksheetBytes {
				return fmt.Errorf("%s: row 1: a worksheet of %d MB unpacked, more than the limit of %d MB", name, size>>20, MaxWorksheetBytes>>20)
			}
		case part == "xl/sharedstrings.xml":
			if size > MaxSharedStringsBytes {
				return fmt.Errorf("%s: row 1: the workbook's shared strings take %d MB unpacked, more than the limit of %d MB", name, size>>20, MaxSharedStringsBytes>>20)
			}
		case size > MaxSharedStringsBytes:
			return fmt.Errorf("%s: row 1: the workbook part %s takes %d MB unpacked, more than the limit of %d MB", name, f.Name, size>>20, MaxSharedStringsBytes>>20)
		}
	}
	return nil
}

// ReadXLSX reads an Excel workbook: each worksheet is one table, named
// "book.xlsx (Sheet)" and matched to a template sheet by its worksheet
// name (or, for a one-sheet workbook, by the file name or headings).
// Cells are read raw, so dates arrive as Excel serial numbers, which the
// date reader understands. Rows are read one at a time (excelize's row
// iterator) and the limits on columns, cell size and rows are checked as
// each row arrives.
func ReadXLSX(name string, data []byte) ([]Table, error) {
	if err := checkWorkbookParts(name, data); err != nil {
		return nil, err
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: MaxSharedStringsBytes})
	if err != nil {
		return nil, fmt.Errorf("%s: row 1: not a readable Excel workbook: %v", name, err)
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	var out []Table
	cells := 0
	for _, sh := range sheets {
		t := Table{Name: name, Hint: name, Encoding: "Excel workbook"}
		if len(sheets) > 1 {
			t.Name, t.Hint = fmt.Sprintf("%s (%s)", name, sh), sh
		}
		if err := readWorksheet(wb, sh, &t, &cells); err != nil {
			return nil, err
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

func readWorksheet(wb *excelize.File, sh string, t *Table, cells *int) error {
	rows, err := wb.Rows(sh)
	if err != nil {
		return fmt.Errorf("%s: row 1: %v", t.Name, err)
	}
	defer rows.Close()
	for i := 1; rows.Next(); i++ {
		row, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return fmt.Errorf("%s: row %d: %v", t.Name, i, err)
		}
		if len(row) > MaxColumns {
			last := len(row)
			for last > 0 && row[last-1] == "" {
				last--
			}
			if last > MaxColumns {
				col, _ := excelize.ColumnNumberToName(last)
				return fmt.Errorf("%s: row %d: a value in column %s, beyond the limit of %d columns", t.Name, i, col, MaxColumns)
			}
			row = row[:last]
		}
		for c, v := range row {
			if len(v) > MaxCellBytes {
				col, _ := excelize.ColumnNumberToName(c + 1)
				return fmt.Errorf("%s: row %d, column %s: a cell of %d characters, more than the limit of %d", t.Name, i, col, len(v), MaxCellBytes)
			}
		}
		if t.Headings == nil {
			if blankRow(row) {
				continue
			}
			if i != 1 {
				return fmt.Errorf("%s: row 1: the heading row is blank; headings must be on the first row", t.Name)
			}
			t.Headings = row
			continue
		}
		if blankRow(row) {
			continue
		}
		row = trimTrailingBlank(row)
		if *cells += len(row); *cells > MaxCells {
			return fmt.Errorf("%s: row %d: more than the limit of %d cells in one file; split the file", t.Name, i, MaxCells)
		}
		if len(t.Rows) >= MaxRows {
			return fmt.Errorf("%s: row %d: more than the limit of %d rows; split the file", t.Name, i, MaxRows)
		}
		t.Rows = append(t.Rows, row)
		t.RowNums = append(t.RowNums, i)
	}
	return rows.Error()
}
