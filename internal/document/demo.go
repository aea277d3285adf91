package document

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
)

//go:embed demo/*.json
var demoFiles embed.FS

// DemoTemplates are the templates `make dev` seeds: a Chinese sales
// contract (销售合同) and an English service agreement.
func DemoTemplates() ([]Template, error) {
	names, err := fs.Glob(demoFiles, "demo/*.json")
	if err != nil {
		return nil, err
	}
	var out []Template
	for _, n := range names {
		raw, err := demoFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var t Template
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, t)
	}
	return out, nil
}
