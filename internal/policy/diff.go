package policy

// DiffLine is one line of a line-by-line comparison: "=" kept, "-" only in
// the old text, "+" only in the new.
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// Diff compares two texts line by line (longest common subsequence) and
// returns the changed lines with one line of context around each change.
func Diff(oldLines, newLines []string) []DiffLine {
	n, m := len(oldLines), len(newLines)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if oldLines[i] == newLines[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var all []DiffLine
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && oldLines[i] == newLines[j]:
			all = append(all, DiffLine{"=", oldLines[i]})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			all = append(all, DiffLine{"-", oldLines[i]})
			i++
		default:
			all = append(all, DiffLine{"+", newLines[j]})
			j++
		}
	}
	out := []DiffLine{}
	for k, l := range all {
		near := l.Op != "=" || (k > 0 && all[k-1].Op != "=") || (k+1 < len(all) && all[k+1].Op != "=")
		if near {
			out = append(out, l)
		}
	}
	return out
}
