package netfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/graph"
)

// maxFileErrors caps the errors reported inside one raster file: a file that
// is not a raster at all (a wrong path) would otherwise give one per line.
const maxFileErrors = 50

// spikeAt is a spike and where it was written.
type spikeAt struct {
	s   graph.Spike
	pos graph.Pos
}

// raster reads a raster source: inline spikes or a CSV file. size is -1 if
// the input's size is unknown.
func (p *parser) raster(n *yaml.Node, src *graph.InputSource, size int) {
	f, ok := p.mapping(n, secRaster, "raster")
	if !ok {
		return
	}
	spikes, file := f.get("spikes"), f.get("file")
	switch {
	case spikes != nil && file != nil:
		second := f.keys["file"]
		if p.pos(second).Line < p.pos(f.keys["spikes"]).Line {
			second = f.keys["spikes"]
		}
		p.errorf(second, "raster has both spikes and file; keep exactly one")
	case spikes != nil:
		src.Spikes = p.sortSpikes(p.inlineSpikes(spikes, size))
	case file != nil:
		path, file, ok := p.sourceFile(file, "a CSV raster file")
		if !ok {
			return
		}
		src.File = path
		src.Spikes = p.sortSpikes(p.rasterFile(file, path, size))
	default:
		p.errorf(f.node, "raster needs spikes: [[step, index], ...] or file: name.csv")
	}
}

// maxIndex is the largest channel index of an input of the given size.
func maxIndex(size int) int64 {
	if size <= 0 {
		return maxSize - 1
	}
	return int64(size) - 1
}

// inlineSpikes reads spikes: [[step, index], ...].
func (p *parser) inlineSpikes(n *yaml.Node, size int) []spikeAt {
	items, ok := p.list(n, "spikes", "a list of [step, index] pairs, such as [[1, 0], [3, 1]]")
	if !ok {
		return nil
	}
	out := make([]spikeAt, 0, len(items))
	for i, it := range items {
		what := fmt.Sprintf("spikes[%d]", i)
		vals, ok := p.list(it, what, "a pair [step, index]")
		if !ok {
			continue
		}
		it, _ = p.resolve(it)
		if len(vals) != 2 {
			p.errorf(it, "%s has %d values; each spike is a pair [step, index]", what, len(vals))
			continue
		}
		step, ok1 := p.integer(vals[0], what+" step", 1, maxInt32)
		index, ok2 := p.integer(vals[1], what+" index", 0, maxIndex(size))
		if ok1 && ok2 {
			out = append(out, spikeAt{graph.Spike{Step: int32(step), Index: int32(index)}, p.pos(it)})
		}
	}
	return out
}

// rasterFile reads a CSV raster: the header line "step,index", then one
// spike per line; blank lines and lines starting with '#' are skipped.
// Errors inside it are positioned in it; n is the file: field, where errors
// opening it go.
func (p *parser) rasterFile(n *yaml.Node, path string, size int) []spikeAt {
	hint := ""
	if !filepath.IsAbs(path) {
		hint = " (a relative path is relative to the network file's directory)"
	}
	info, err := os.Stat(path)
	if err != nil {
		p.errorf(n, "cannot read raster file: %v%s", err, hint)
		return nil
	}
	if !info.Mode().IsRegular() {
		p.errorf(n, "raster file %s is not a regular file", path)
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		p.errorf(n, "cannot read raster file: %v", err)
		return nil
	}
	errs := 0
	bad := func(line, col int, format string, args ...any) {
		errs++
		switch {
		case errs < maxFileErrors:
			p.errorAt(graph.Pos{File: path, Line: line, Col: col}, format, args...)
		case errs == maxFileErrors:
			p.errorAt(graph.Pos{File: path, Line: line, Col: col}, "too many errors in this raster file; fix the ones above first (is it a raster file?)")
		}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	var out []spikeAt
	header := false
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad(pe.Line, pe.Column, "raster file is not valid CSV: %v", pe.Err)
			} else {
				bad(1, 1, "raster file is not valid CSV: %v", err)
			}
			break
		}
		line, col := r.FieldPos(0)
		if !header {
			header = true
			if len(rec) == 2 && strings.TrimSpace(rec[0]) == "step" && strings.TrimSpace(rec[1]) == "index" {
				continue
			}
			bad(line, col, "raster file must start with the header line step,index; got %s", quote(clip(strings.Join(rec, ","))))
			if len(rec) == 0 || !looksNumeric(strings.TrimSpace(rec[0])) {
				continue // a header with other names: skip it
			}
		}
		if len(rec) != 2 {
			bad(line, col, "a raster line holds step,index; got %d fields", len(rec))
			continue
		}
		step, ok1 := p.csvInt(rec[0], "step", 1, maxInt32)
		index, ok2 := p.csvInt(rec[1], "index", 0, maxIndex(size))
		if !ok1 {
			bad(line, col, "%s", step.msg)
		}
		if !ok2 {
			l, c := r.FieldPos(1)
			bad(l, c, "%s", index.msg)
		}
		if ok1 && ok2 {
			out = append(out, spikeAt{graph.Spike{Step: int32(step.v), Index: int32(index.v)}, graph.Pos{File: path, Line: line, Col: col}})
		}
	}
	if !header {
		bad(1, 1, "raster file is empty; it needs the header line step,index and then one spike per line")
	}
	return out
}

// csvValue is an integer read from a CSV field, or why it could not be.
type csvValue struct {
	v   int64
	msg string
}

func (p *parser) csvInt(s, what string, lo, hi int64) (csvValue, bool) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		return csvValue{msg: fmt.Sprintf("%s must be in %d..%d; got %s", what, lo, hi, clip(s))}, false
	case err != nil:
		return csvValue{msg: fmt.Sprintf("%s must be an integer in %d..%d; got %s", what, lo, hi, quote(clip(s)))}, false
	case v < lo || v > hi:
		return csvValue{msg: fmt.Sprintf("%s must be in %d..%d; got %d", what, lo, hi, v)}, false
	}
	return csvValue{v: v}, true
}
