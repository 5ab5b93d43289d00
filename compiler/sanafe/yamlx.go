package sanafe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/graph"
)

// reader collects positioned errors and notes while walking one file.
type reader struct {
	file  string
	errs  graph.ErrorList
	notes []string
	seen  map[string]bool // notes already given (a note is said once)
}

func newReader(file string) *reader { return &reader{file: file, seen: map[string]bool{}} }

func (r *reader) pos(n *yaml.Node) graph.Pos {
	if n == nil {
		return graph.Pos{File: r.file}
	}
	return graph.Pos{File: r.file, Line: n.Line, Col: n.Column}
}

func (r *reader) errorf(n *yaml.Node, format string, args ...any) {
	r.errs.Add(r.pos(n), format, args...)
}

// note records something the import assumed, approximated or left out;
// the same text is recorded once.
func (r *reader) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if !r.seen[s] {
		r.seen[s] = true
		r.notes = append(r.notes, s)
	}
}

// err returns the sorted error list, or nil.
func (r *reader) err() error {
	if len(r.errs) == 0 {
		return nil
	}
	r.errs.Sort()
	return r.errs
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses data into a document node. A syntax error becomes a
// positioned error (the line yaml reports; column of its first non-blank).
func (r *reader) parseYAML(data []byte) *yaml.Node {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		r.errs.Add(graph.Pos{File: r.file, Line: 1, Col: 1}, "the file is empty")
		return nil
	}
	if err != nil {
		line, msg := 1, strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlErrLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		lines := bytes.Split(data, []byte("\n"))
		line = min(max(line, 1), len(lines))
		text := lines[line-1]
		col := 1 + len(text) - len(bytes.TrimLeft(text, " \t"))
		r.errs.Add(graph.Pos{File: r.file, Line: line, Col: col}, "YAML syntax error: %s", msg)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		r.errorf(&extra, "a second YAML document: a SANA-FE file holds one")
	}
	if len(doc.Content) == 0 {
		r.errs.Add(graph.Pos{File: r.file, Line: 1, Col: 1}, "the file is empty")
		return nil
	}
	root := doc.Content[0]
	return resolveAlias(root)
}

// resolveAlias follows YAML aliases (*x) to the anchored node.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

// kv is one key/value pair of a mapping or of an attribute list.
type kv struct {
	key  string
	kn   *yaml.Node // the key node, for positions
	val  *yaml.Node
	used bool
}

// mapPairs returns the pairs of a mapping node, in order. A null node
// (`attributes:` with nothing after it) is an empty mapping.
func (r *reader) mapPairs(n *yaml.Node, what string) ([]kv, bool) {
	n = resolveAlias(n)
	if n == nil || isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.MappingNode {
		r.errorf(n, "%s must be a mapping (key: value), found %s", what, kindName(n))
		return nil, false
	}
	out := make([]kv, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolveAlias(n.Content[i]), resolveAlias(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			r.errorf(k, "%s: a key must be plain text, found %s", what, kindName(k))
			continue
		}
		out = append(out, kv{key: k.Value, kn: k, val: v})
	}
	return out, true
}

// attrList reads an attribute list: a mapping, or a sequence of mappings
// (`[threshold: 2, bias: 1]`), both read as one ordered list of pairs.
func (r *reader) attrList(n *yaml.Node, what string) ([]kv, bool) {
	n = resolveAlias(n)
	if n == nil || isNull(n) {
		return nil, true
	}
	switch n.Kind {
	case yaml.MappingNode:
		return r.mapPairs(n, what)
	case yaml.SequenceNode:
		var out []kv
		ok := true
		for _, e := range n.Content {
			e = resolveAlias(e)
			if e.Kind != yaml.MappingNode {
				r.errorf(e, "%s: each item of an attribute list must be `key: value`, found %s", what, kindName(e))
				ok = false
				continue
			}
			p, good := r.mapPairs(e, what)
			ok = ok && good
			out = append(out, p...)
		}
		return out, ok
	}
	r.errorf(n, "%s must be an attribute list (a mapping or a list of `key: value`), found %s", what, kindName(n))
	return nil, false
}

// seqItems returns the items of a sequence node (null is empty).
func (r *reader) seqItems(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = resolveAlias(n)
	if n == nil || isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		r.errorf(n, "%s must be a list, found %s", what, kindName(n))
		return nil, false
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, e := range n.Content {
		out[i] = resolveAlias(e)
	}
	return out, true
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

// text reads a scalar as text (keys and names are always text).
func (r *reader) text(n *yaml.Node, what string) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
		if n == nil {
			return "", false
		}
		r.errorf(n, "%s must be text, found %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// number reads a scalar as a finite float: YAML ints and floats, and
// quoted numbers.
func (r *reader) number(n *yaml.Node, what string) (float64, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
		if n != nil {
			r.errorf(n, "%s must be a number, found %s", what, kindName(n))
		}
		return 0, false
	}
	f, ok := parseNumber(n.Value)
	if !ok {
		r.errorf(n, "%s must be a number, found %q", what, n.Value)
		return 0, false
	}
	return f, true
}

// parseNumber parses YAML number text (1, -4, 2.0, 1e-12, .5, 0x10, 1_000).
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(i), true
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// integer reads a scalar that must hold a whole number in lo..hi.
func (r *reader) integer(n *yaml.Node, what string, lo, hi int64) (int64, bool) {
	f, ok := r.number(n, what)
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) {
		r.errorf(n, "%s must be a whole number, found %s", what, n.Value)
		return 0, false
	}
	if f < float64(lo) || f > float64(hi) {
		r.errorf(n, "%s must be in %d..%d, found %s", what, lo, hi, n.Value)
		return 0, false
	}
	return int64(f), true
}

// boolean reads a YAML boolean (true/false, True/False, yes/no, 1/0).
func (r *reader) boolean(n *yaml.Node, what string) (bool, bool) {
	if n != nil && n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on", "1":
			return true, true
		case "false", "no", "off", "0":
			return false, true
		}
	}
	if n != nil {
		r.errorf(n, "%s must be true or false, found %s", what, kindName(n))
	}
	return false, false
}

// numberList reads a list of numbers (or a single number, as a list of one).
func (r *reader) numberList(n *yaml.Node, what string) ([]float64, bool) {
	n = resolveAlias(n)
	if n != nil && n.Kind == yaml.ScalarNode {
		f, ok := r.number(n, what)
		return []float64{f}, ok
	}
	items, ok := r.seqItems(n, what)
	if !ok {
		return nil, false
	}
	out := make([]float64, len(items))
	for i, e := range items {
		f, good := r.number(e, fmt.Sprintf("%s[%d]", what, i))
		if !good {
			return nil, false
		}
		out[i] = f
	}
	return out, true
}

// parseIndexRange parses "7" or "0..15" (inclusive) into lo, hi.
func parseIndexRange(s string) (lo, hi int, ok bool) {
	s = strings.TrimSpace(s)
	a, b, isRange := strings.Cut(s, "..")
	x, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil || x < 0 {
		return 0, 0, false
	}
	if !isRange {
		return x, x, true
	}
	y, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil || y < x {
		return 0, 0, false
	}
	return x, y, true
}

// splitNameRange splits "loihi_tile[0..31]" into ("loihi_tile", 0, 31,
// true); a name without brackets is one copy.
func splitNameRange(s string) (base string, lo, hi int, ranged, ok bool) {
	i := strings.LastIndexByte(s, '[')
	if i < 0 || !strings.HasSuffix(s, "]") {
		return s, 0, 0, false, !strings.ContainsAny(s, "[]")
	}
	lo, hi, ok = parseIndexRange(s[i+1 : len(s)-1])
	return s[:i], lo, hi, true, ok
}
