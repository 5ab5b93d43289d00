package netfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/graph"
)

// A JSON network file is read with encoding/json, not with the YAML parser
// (JSON is nearly a subset of YAML, but the YAML library rejects some valid
// JSON, such as the escape \/, and gives syntax errors a line only). The
// tokens are turned into the same yaml.Node tree a YAML file gives, with exact
// line:col positions, so that everything after this is shared.

// jsonHints explain encoding/json's syntax errors.
var jsonHints = []struct{ contains, hint string }{
	{"after object key:value pair", "a ',' is probably missing before it"},
	{"after array element", "a ',' is probably missing before it"},
	{"looking for beginning of object key string", "field names must be in double quotes, and there is no ',' after the last field"},
	{"unexpected end of JSON input", "a '}' or ']' is probably missing"},
	{"after top-level value", "there is text after the end of the network's '}'"},
	{"invalid character '/'", "JSON has no comments; use a YAML network file to write comments"},
	{"invalid character '''", "JSON strings are in double quotes"},
	{"after object key", "a ':' is probably missing after the field name"},
}

// decodeJSON parses data as JSON into yaml nodes, or reports the syntax error
// and returns nil.
func (p *parser) decodeJSON(data []byte) *yaml.Node {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		off := 0
		if errors.As(err, &se) {
			off = int(se.Offset) - 1 // the offending byte
			if strings.Contains(se.Error(), "unexpected end") {
				off = len(bytes.TrimRight(data, " \t\r\n"))
			}
		}
		line, col := offsetPos(data, off)
		msg := err.Error()
		for _, h := range jsonHints {
			if strings.Contains(msg, h.contains) {
				msg += " (" + h.hint + ")"
				break
			}
		}
		p.errorAt(graph.Pos{File: p.file, Line: line, Col: col}, "JSON syntax error: %s", msg)
		return nil
	}
	b := &jsonBuilder{data: data, dec: json.NewDecoder(bytes.NewReader(data)), line: 1, col: 1}
	b.dec.UseNumber()
	n, err := b.value()
	if err != nil {
		// Unreachable: the text was checked above.
		p.errorAt(graph.Pos{File: p.file, Line: 1, Col: 1}, "JSON syntax error: %v", err)
		return nil
	}
	return n
}

// jsonBuilder turns a JSON token stream into yaml nodes. Tokens come in
// increasing offset order, so the line and column are advanced incrementally.
type jsonBuilder struct {
	data      []byte
	dec       *json.Decoder
	off       int // position of line/col below
	line, col int
}

// start returns the position of the next token.
func (b *jsonBuilder) start() (line, col int) {
	i := int(b.dec.InputOffset())
	for i < len(b.data) && strings.IndexByte(" \t\r\n,:", b.data[i]) >= 0 {
		i++
	}
	for b.off < i {
		r, size := utf8.DecodeRune(b.data[b.off:])
		if r == '\n' {
			b.line, b.col = b.line+1, 1
		} else {
			b.col++
		}
		b.off += size
	}
	return b.line, b.col
}

func (b *jsonBuilder) value() (*yaml.Node, error) {
	line, col := b.start()
	tok, err := b.dec.Token()
	if err != nil {
		return nil, err
	}
	n := &yaml.Node{Line: line, Column: col}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			n.Kind, n.Tag, n.Style = yaml.MappingNode, "!!map", yaml.FlowStyle
			for b.dec.More() {
				k, err := b.value()
				if err != nil {
					return nil, err
				}
				v, err := b.value()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, k, v)
			}
		} else {
			n.Kind, n.Tag, n.Style = yaml.SequenceNode, "!!seq", yaml.FlowStyle
			for b.dec.More() {
				v, err := b.value()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
		}
		if _, err := b.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Kind, n.Tag, n.Value, n.Style = yaml.ScalarNode, "!!str", t, yaml.DoubleQuotedStyle
	case json.Number:
		n.Kind, n.Value, n.Tag = yaml.ScalarNode, string(t), "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			n.Tag = "!!float"
		}
	case bool:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", "false"
		if t {
			n.Value = "true"
		}
	case nil:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
	}
	return n, nil
}
