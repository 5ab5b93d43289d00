package netfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/graph"
)

// ParseFile reads the network file at path. Raster files it names are
// resolved relative to the directory that holds it.
func ParseFile(path string) (*graph.Graph, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("netfile: %w", err)
	}
	return Parse(path, data)
}

// Parse reads a network file's contents. path is used in messages and to
// resolve raster files (relative to filepath.Dir(path)); it may be "" for data
// that came from nowhere in particular, and then raster files are resolved
// relative to the working directory.
//
// A file is JSON if path ends in ".json" (any case) and YAML otherwise. On any
// problem Parse returns a nil graph and a graph.ErrorList that holds every
// problem found, sorted by position.
func Parse(path string, data []byte) (*graph.Graph, error) {
	return newParser(path).parse(data)
}

// parser holds the state of one Parse call.
type parser struct {
	file string // path as given, for positions
	dir  string // where raster files are resolved
	json bool
	errs graph.ErrorList

	// Alias expansion budget (a few aliases in a small file must not expand
	// into gigabytes).
	expanded, aliasLimit int
	sizes                map[*yaml.Node]int
	aliasReported        bool

	// neuronLimit, if > 0, caps the sum of population and input sizes. The
	// API sets none; the fuzz test sets one so that "size: 16777216" a
	// hundred times does not exhaust the machine.
	neuronLimit, neurons int64

	dtPS     int64
	names    map[string]*ref // populations and inputs by name
	order    []string        // their names in file order
	items    int             // population and input list items seen
	badList  bool            // populations or inputs is not a list
	projName map[string]*yaml.Node

	// units: bio. The biological parameters of populations and projections
	// are kept until every projection is read, then converted.
	bio      bool
	bioPops  []*bioNeuron
	bioProjs []*bioProj
	pairW    []float64 // the weights of the pair list being read (bio)
	pairSet  []bool    // which of its pairs give one

	// src is the file's text without a byte order mark, as the YAML and JSON
	// readers count lines and columns; lineStarts, computed when first
	// needed, is the offset of each line.
	src        []byte
	lineStarts []int
	lastCursor cursor // where cursorAt last went
}

// ref is what projections and probes need to know about a population.
type ref struct {
	name  string
	size  int // -1 when the size was invalid
	input bool
	node  *yaml.Node // the name's value, for "first defined at"
}

func newParser(path string) *parser {
	return &parser{
		file:     path,
		dir:      filepath.Dir(path),
		json:     strings.EqualFold(filepath.Ext(path), ".json"),
		sizes:    map[*yaml.Node]int{},
		names:    map[string]*ref{},
		projName: map[string]*yaml.Node{},
	}
}

func (p *parser) pos(n *yaml.Node) graph.Pos {
	return graph.Pos{File: p.file, Line: n.Line, Col: n.Column}
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs.Add(p.pos(n), format, args...)
}

func (p *parser) errorAt(pos graph.Pos, format string, args ...any) {
	p.errs.Add(pos, format, args...)
}

// where is a position for "first given at ...": line:col in the same file.
func (p *parser) where(pos graph.Pos) string {
	if pos.File == p.file {
		return fmt.Sprintf("%d:%d", pos.Line, pos.Col)
	}
	return pos.String()
}

// parse runs every check and builds the graph if there was no error.
func (p *parser) parse(data []byte) (*graph.Graph, error) {
	p.src = bytes.TrimPrefix(data, []byte("\uFEFF"))
	root := p.decode(data)
	var g *graph.Graph
	if root != nil {
		g = p.network(root)
	}
	if len(p.errs) == 0 {
		return g, nil
	}
	p.errs.Sort()
	// An alias or a merged mapping used twice repeats its errors; keep one.
	type key struct {
		pos graph.Pos
		msg string
	}
	seen := map[key]bool{}
	out := p.errs[:0]
	for _, e := range p.errs {
		if k := (key{e.Pos, e.Msg}); !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return nil, out
}

// decode turns data into the root node of the network, or reports why it
// cannot and returns nil.
func (p *parser) decode(data []byte) *yaml.Node {
	start := graph.Pos{File: p.file, Line: 1, Col: 1}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\uFEFF")))) == 0 {
		p.errorAt(start, "empty network file; it needs at least dt, units and one population (see docs/network-format.md)")
		return nil
	}
	if !p.checkText(data) {
		return nil
	}
	var root *yaml.Node
	if p.json {
		root = p.decodeJSON(data)
	} else {
		root = p.decodeYAML(data)
	}
	if root == nil {
		if len(p.errs) == 0 {
			p.errorAt(start, "empty network file: it holds only comments; it needs at least dt, units and one population")
		}
		return nil
	}
	p.aliasLimit = max(1_000_000, 10*p.count(root))
	return root
}

// checkText reports the first byte that cannot be in a YAML or JSON text:
// invalid UTF-8 or a control character. Both parsers would reject it too, but
// without saying where.
func (p *parser) checkText(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		p.errorAt(graph.Pos{File: p.file, Line: 1, Col: 1}, "the network file is UTF-16 text; save it as UTF-8")
		return false
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		pos := graph.Pos{File: p.file, Line: line, Col: col}
		switch {
		case r == utf8.RuneError && size == 1:
			p.errorAt(pos, "the network file is not UTF-8 text: invalid byte 0x%02x (is this a binary file?)", data[i])
			return false
		case !printable(r):
			p.errorAt(pos, "control character %U is not allowed in a network file (is this a binary file?)", r)
			return false
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return true
}

// printable is YAML's c-printable set (JSON allows less).
func printable(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		r >= 0x20 && r <= 0x7E || r == 0x85 ||
		r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

var yamlErrSyntax = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlHints explain the YAML parser's messages in a network file's terms.
var yamlHints = map[string]string{
	"did not find expected ',' or ']'":                "a list opened with '[' is not closed, or a ',' is missing between items",
	"did not find expected ',' or '}'":                "a mapping opened with '{' is not closed, or a ',' is missing between fields",
	"did not find expected key":                       "check the indentation of this line and the lines around it",
	"did not find expected '-' indicator":             "a list item must start with '- ' at the same indentation as the other items",
	"mapping values are not allowed in this context":  "check the indentation, and quote a value that contains ': '",
	"found unexpected end of stream":                  "a quoted string or a bracket is not closed",
	"could not find expected ':'":                     "a field needs ': ' between its name and its value",
	"found a tab character that violates indentation": "YAML does not allow tabs for indentation; use spaces",
	"found character that cannot start any token":     "a value cannot start with this character (a tab, @, ` or %); indent with spaces, or quote the value",
	"did not find expected node content":              "a value is missing, or a bracket is out of place",
}

// decodeYAML parses data as one YAML document.
func (p *parser) decodeYAML(data []byte) (root *yaml.Node) {
	defer func() {
		// The YAML library turns its own failures into errors; anything else
		// it panics with is a bug there, reported here as an error so that a
		// bad file never crashes the caller.
		if r := recover(); r != nil {
			p.errorAt(graph.Pos{File: p.file, Line: 1, Col: 1}, "YAML parser failed: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		p.syntaxError(data, err)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		if len(next.Content) > 0 && next.Content[0].ShortTag() != "!!null" {
			p.errorf(next.Content[0], "a second YAML document (after ---); a network file holds exactly one")
		}
	case !errors.Is(err, io.EOF):
		p.syntaxError(data, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// syntaxError reports a YAML parser error. The library gives a line only, and
// for parser (as opposed to scanner) errors one less than the line it means;
// the column is the line's first non-blank character.
func (p *parser) syntaxError(data []byte, err error) {
	m := yamlErrSyntax.FindStringSubmatch(err.Error())
	if m == nil {
		p.errorAt(graph.Pos{File: p.file, Line: 1, Col: 1}, "YAML syntax error: %v", err)
		return
	}
	line, _ := strconv.Atoi(m[1])
	msg := m[2]
	parserErr := strings.HasPrefix(msg, "did not find expected") || strings.HasPrefix(msg, "found duplicate") ||
		strings.HasPrefix(msg, "found incompatible") || strings.HasPrefix(msg, "found undefined")
	switch {
	case parserErr || msg == "found a tab character that violates indentation":
		// The line given is where the enclosing construct starts, less one;
		// find the first line at which the text stops parsing instead.
		line = firstFailingLine(data, msg, line+1)
	case line == 0:
		line = 1
	}
	if strings.HasPrefix(msg, "unknown anchor") {
		// "unknown anchor 'x' referenced": point at the first *x.
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
		if i := bytes.Index(data, []byte("*"+name)); i >= 0 {
			line, col := offsetPos(data, i)
			p.errorAt(graph.Pos{File: p.file, Line: line, Col: col}, "YAML alias *%s refers to no anchor &%s defined before it", name, name)
			return
		}
	}
	lines := bytes.Split(data, []byte("\n"))
	if line > len(lines) {
		line = len(lines)
	}
	col := 1
	if line >= 1 {
		text := lines[line-1]
		col += utf8.RuneCount(text) - utf8.RuneCount(bytes.TrimLeft(text, " \t"))
		if msg == "found a tab character that violates indentation" || msg == "found character that cannot start any token" {
			if i := bytes.IndexByte(text, '\t'); i >= 0 && len(bytes.TrimLeft(text[:i], " ")) == 0 {
				col = utf8.RuneCount(text[:i]) + 1
			}
		}
	}
	if hint, ok := yamlHints[msg]; ok {
		msg += " (" + hint + ")"
	}
	p.errorAt(graph.Pos{File: p.file, Line: line, Col: col}, "YAML syntax error: %s", msg)
}

// firstFailingLine returns the smallest k such that the first k lines of
// data fail to parse with the message msg: the line where a parser error
// shows. It bisects; fallback is returned if data itself does not fail so.
func firstFailingLine(data []byte, msg string, fallback int) int {
	var ends []int // ends[k-1] is the offset after line k
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	fails := func(k int) bool { return yamlError(data[:ends[k-1]]) == msg }
	if !fails(len(ends)) {
		return max(fallback, 1)
	}
	lo, hi := 1, len(ends)
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// yamlError parses every document of data and returns the parser's message
// without its line, or "" if data parses.
func yamlError(data []byte) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == nil {
			continue
		}
		if errors.Is(err, io.EOF) {
			return ""
		}
		if m := yamlErrSyntax.FindStringSubmatch(err.Error()); m != nil {
			return m[2]
		}
		return err.Error()
	}
}

// offsetPos converts a byte offset into a line and a column in characters.
func offsetPos(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return bytes.Count(data[:off], []byte("\n")) + 1, utf8.RuneCount(data[start:off]) + 1
}

// count is the number of nodes under n, not following aliases; memoized for
// anchors, which are what aliases expand.
func (p *parser) count(n *yaml.Node) int {
	if c, ok := p.sizes[n]; ok {
		return c
	}
	c := 1
	for _, k := range n.Content {
		c += p.count(k)
	}
	if n.Anchor != "" {
		p.sizes[n] = c
	}
	return c
}

// resolve follows an alias to its anchored node. It reports an error and
// returns false when aliases expand too much.
func (p *parser) resolve(n *yaml.Node) (*yaml.Node, bool) {
	if n.Kind != yaml.AliasNode {
		return n, true
	}
	if n.Alias == nil {
		p.errorf(n, "alias *%s refers to no anchor", n.Value)
		return nil, false
	}
	p.expanded += p.count(n.Alias)
	if p.expanded > p.aliasLimit {
		if !p.aliasReported {
			p.aliasReported = true
			p.errorf(n, "aliases expand the network file to more than %d values; write the values out, or use fewer aliases", p.aliasLimit)
		}
		return nil, false
	}
	return n.Alias, true
}

// fields is a mapping of the file whose keys were checked against a section
// of the table in fields.go.
type fields struct {
	node  *yaml.Node
	sec   string
	label string                // e.g. `population "exc"`, for messages
	keys  map[string]*yaml.Node // key node by name
	vals  map[string]*yaml.Node // value node by name
	order []string              // keys in the order given
	// guessed holds the fields suggested for unknown keys ("sise" → size):
	// such a field is not reported missing a second time.
	guessed map[string]bool
}

// get returns the value of key name, or nil if it is absent.
func (f *fields) get(name string) *yaml.Node { return f.vals[name] }

func (f *fields) has(name string) bool { return f.vals[name] != nil }

// mapping checks that n is a mapping with only keys that section sec accepts,
// no key twice and every required key. what names n in a type error, e.g.
// "each item of populations". It returns false if n is not a mapping.
func (p *parser) mapping(n *yaml.Node, sec, what string) (*fields, bool) {
	n, ok := p.resolve(n)
	if !ok {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		p.typeError(n, what, "a mapping of fields ("+strings.Join(fieldNames(sec), ", ")+")")
		return nil, false
	}
	f := &fields{node: n, sec: sec, label: sec, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
	p.collect(f, n, map[*yaml.Node]bool{n: true})
	if name := f.get("name"); name != nil && name.Kind == yaml.ScalarNode && name.ShortTag() == "!!str" && name.Value != "" {
		f.label = fmt.Sprintf("%s %s", sec, quote(clip(name.Value)))
	}
	if sec == secTrace {
		f.label = "trace " + what // x1, x2, y1, y2 or y3
	}
	for _, fd := range sections[sec] {
		if fd.required && !f.has(fd.name) && !f.guessed[fd.name] {
			p.errorf(n, "missing mandatory field %s in %s", quote(fd.name), f.label)
		}
	}
	return f, true
}

// collect adds the keys of mapping n to f: first its own keys, then those of
// mappings merged in with "<<", which never override a key already given.
func (p *parser) collect(f *fields, n *yaml.Node, seen map[*yaml.Node]bool) {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "a field name must be a plain word; got %s in %s", describe(k), f.sec)
			continue
		}
		name := k.Value
		if !isField(f.sec, name) {
			allowed := fieldNames(f.sec)
			guess := suggest(name, allowed)
			if guess != "" {
				if f.guessed == nil {
					f.guessed = map[string]bool{}
				}
				f.guessed[guess] = true
			}
			p.errorf(k, "unknown field %s in %s%s (allowed: %s)", quote(clip(name)), f.sec, didYouMean(name, allowed), strings.Join(allowed, ", "))
			continue
		}
		if first, dup := f.keys[name]; dup {
			p.errorf(k, "duplicate field %s in %s; it is already given at %s", quote(name), f.sec, p.where(p.pos(first)))
			continue
		}
		f.keys[name], f.vals[name] = k, v
		f.order = append(f.order, name)
	}
	for _, m := range merges {
		p.merge(f, m, seen)
	}
}

// merge adds the keys of a "<<" value: a mapping or a list of mappings.
func (p *parser) merge(f *fields, v *yaml.Node, seen map[*yaml.Node]bool) {
	v, ok := p.resolve(v)
	if !ok {
		return
	}
	var srcs []*yaml.Node
	switch v.Kind {
	case yaml.MappingNode:
		srcs = []*yaml.Node{v}
	case yaml.SequenceNode:
		srcs = v.Content
	default:
		p.typeError(v, "a merge (<<)", "a mapping or a list of mappings")
		return
	}
	for _, s := range srcs {
		s, ok := p.resolve(s)
		if !ok {
			continue
		}
		if s.Kind != yaml.MappingNode {
			p.typeError(s, "a merge (<<)", "a mapping or a list of mappings")
			continue
		}
		if seen[s] {
			p.errorf(s, "this mapping merges itself (<<)")
			continue
		}
		seen[s] = true
		sub := &fields{node: s, sec: f.sec, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
		p.collect(sub, s, seen)
		delete(seen, s)
		for name := range sub.guessed {
			if f.guessed == nil {
				f.guessed = map[string]bool{}
			}
			f.guessed[name] = true
		}
		for _, name := range sub.order {
			if _, ok := f.keys[name]; !ok {
				f.keys[name], f.vals[name] = sub.keys[name], sub.vals[name]
				f.order = append(f.order, name)
			}
		}
	}
}

// keyOrder returns f's keys sorted by position in the file.
func (f *fields) keyOrder() []string {
	keys := append([]string(nil), f.order...)
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := f.keys[keys[i]], f.keys[keys[j]]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return keys
}
