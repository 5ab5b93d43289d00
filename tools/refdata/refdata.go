// Package refdata finds the external reference data in shared/reference
// for tests: vectors produced by tools nobody here wrote (Lava, NIR
// exporters, event-camera recorders). The folder sits beside the
// repository (../shared/reference from the module root); the environment
// variable TESSERA_REFERENCE overrides that.
package refdata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the reference sub-folder sub, failing the test with the
// places it looked when it is missing: a missing reference is a failure,
// never a silent skip.
func Dir(tb testing.TB, sub string) string {
	tb.Helper()
	dir, err := Find(sub)
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// Find is Dir without a test.
func Find(sub string) (string, error) {
	var tried []string
	if env := os.Getenv("TESSERA_REFERENCE"); env != "" {
		p := filepath.Join(env, sub)
		if isDir(p) {
			return p, nil
		}
		tried = append(tried, p)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("refdata: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(d), "shared", "reference", sub)
			if isDir(p) {
				return p, nil
			}
			tried = append(tried, p)
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("refdata: reference folder %q not found; looked in %v (set TESSERA_REFERENCE to shared/reference)", sub, tried)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
