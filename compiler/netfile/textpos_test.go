package netfile

import (
	"bytes"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/graph"
)

// checkPositions fails t unless every position scalarPositions gives for the
// string scalar n of p's file is after the previous one, and holds the
// character of the value or what wrote it: an escape's '\', a folded line
// break, the first of two single quotes.
func checkPositions(t *testing.T, p *parser, n *yaml.Node) {
	t.Helper()
	at, ok := p.scalarPositions(n)
	if !ok {
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && n.Value == "simple" {
			t.Fatalf("no positions for %q at %d:%d", n.Value, n.Line, n.Column)
		}
		return
	}
	value := []rune(n.Value)
	if len(at) != len(value)+1 {
		t.Fatalf("%d positions for %d characters", len(at), len(value))
	}
	lines := bytes.Split(p.src, []byte("\n"))
	runeAt := func(pos graph.Pos) rune {
		if pos.Line < 1 || pos.Line > len(lines) {
			t.Fatalf("position %v outside the file", pos)
		}
		line := []rune(string(lines[pos.Line-1]))
		if pos.Col == len(line)+1 {
			return '\n'
		}
		if pos.Col < 1 || pos.Col > len(line) {
			t.Fatalf("position %v outside its line %q", pos, line)
		}
		return line[pos.Col-1]
	}
	for i, pos := range at {
		if i > 0 && (pos.Line < at[i-1].Line || pos.Line == at[i-1].Line && pos.Col <= at[i-1].Col) {
			t.Fatalf("position %d (%v) is not after %v", i, pos, at[i-1])
		}
		if i == len(value) {
			break
		}
		r, v := runeAt(pos), value[i]
		switch {
		case r == v, r == '\\', r == '\n', r == '\r':
		default:
			t.Fatalf("character %d of %q is %q but position %v holds %q", i, n.Value, v, pos, r)
		}
	}
}

// scalars returns every string scalar under n.
func scalars(n *yaml.Node, out []*yaml.Node) []*yaml.Node {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		out = append(out, n)
	}
	for _, c := range n.Content {
		out = scalars(c, out)
	}
	return out
}

// checkText parses data as YAML or JSON and checks the positions of every
// string in it.
func checkText(t *testing.T, data []byte, isJSON bool) {
	path := "f.yaml"
	if isJSON {
		path = "f.json"
	}
	p := newParser(path)
	p.src = bytes.TrimPrefix(data, []byte("\uFEFF"))
	root := p.decode(data)
	if root == nil {
		return
	}
	for _, n := range scalars(root, nil) {
		checkPositions(t, p, n)
	}
}

var textSeeds = []struct {
	src    string
	isJSON bool
}{
	{"a: simple\n", false},
	{"a: \"x1*y0\\t- \\x32^-2*z1\\u00e9\"\n", false},
	{"a: 'x1 '' y1'\n", false},
	{"a: x1*y0\n  - z1\n\n\n  y\n", false},
	{"a: \"x \n\n   - z\\\n  w \"\n", false},
	{"a:\r\n  - \"q\r\n   r\"\r\n", false},
	{"a: &r !!str  é ü\nb: *r\n", false},
	{"- [simple, 'a b', \"c\"]\n- {k: v w}\n", false},
	{"\uFEFFa: simple\n", false},
	{"a: |\n  x\n", false},
	{`{"a": "simple", "b": "x\u0020y\ud83d\ude00\ud83d z\/\"\\"}`, true},
	{"{\"a\": [\"é\", \"\\n\"]}", true},
}

// TestScalarPositions checks the positions of the characters of strings
// written in every style.
func TestScalarPositions(t *testing.T) {
	for _, s := range textSeeds {
		checkText(t, []byte(s.src), s.isJSON)
	}
	// Some exact positions.
	p := newParser("f.yaml")
	src := "a: \"x\\ty\"\nb: 'it''s'\nc: one\n  two\n"
	p.src = []byte(src)
	root := p.decode([]byte(src))
	want := map[string][]graph.Pos{
		"x\ty":    {{Line: 1, Col: 5}, {Line: 1, Col: 6}, {Line: 1, Col: 8}, {Line: 1, Col: 9}},
		"it's":    {{Line: 2, Col: 5}, {Line: 2, Col: 6}, {Line: 2, Col: 7}, {Line: 2, Col: 9}, {Line: 2, Col: 10}},
		"one two": {{Line: 3, Col: 4}, {Line: 3, Col: 5}, {Line: 3, Col: 6}, {Line: 3, Col: 7}, {Line: 4, Col: 3}, {Line: 4, Col: 4}, {Line: 4, Col: 5}, {Line: 4, Col: 6}},
	}
	for _, n := range scalars(root, nil) {
		w, ok := want[n.Value]
		if !ok {
			continue
		}
		at, ok := p.scalarPositions(n)
		if !ok {
			t.Fatalf("no positions for %q", n.Value)
		}
		for i := range at {
			at[i].File = ""
		}
		if len(at) != len(w) {
			t.Fatalf("%q: positions %v, want %v", n.Value, at, w)
		}
		for i := range w {
			if at[i] != w[i] {
				t.Fatalf("%q: positions %v, want %v", n.Value, at, w)
			}
		}
		delete(want, n.Value)
	}
	if len(want) > 0 {
		t.Fatalf("strings not found: %v", want)
	}
}

// FuzzScalarPositions checks the positions of the strings of arbitrary
// YAML and JSON texts.
func FuzzScalarPositions(f *testing.F) {
	for _, s := range textSeeds {
		f.Add([]byte(s.src), s.isJSON)
	}
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		if len(data) > 4096 {
			return
		}
		checkText(t, data, isJSON)
	})
}
