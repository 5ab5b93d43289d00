package sweep

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

// keyKind is what a key sets.
type keyKind int

const (
	keySeed   keyKind = iota // the run seed
	keyPreset                // a field of the preset file
	keyNet                   // a node of the network file
)

// key is a parsed parameter key: its kind and, for preset and net keys,
// the path below the prefix.
type key struct {
	kind keyKind
	path []string
}

// parseKey splits a key into its kind and path segments.
func parseKey(k string) (key, error) {
	if !utf8.ValidString(k) {
		return key{}, fmt.Errorf("key %q is not UTF-8 text", k)
	}
	if k == "seed" {
		return key{kind: keySeed}, nil
	}
	prefix, rest, _ := strings.Cut(k, ".")
	kinds := map[string]keyKind{"preset": keyPreset, "net": keyNet}
	kind, ok := kinds[prefix]
	if !ok {
		return key{}, fmt.Errorf("unknown key %q: a key is seed, preset.<field path> (e.g. preset.core.syn_op.energy_fj) or net.<node path> (e.g. net.inputs.stim.poisson.rate_hz)", k)
	}
	if rest == "" {
		return key{}, fmt.Errorf("key %q needs a path after %s. (e.g. %s)", k, prefix, map[keyKind]string{
			keyPreset: "preset.mesh.width", keyNet: "net.populations.exc.neuron.vth"}[kind])
	}
	path := strings.Split(rest, ".")
	if slices.Contains(path, "") {
		return key{}, fmt.Errorf("key %q has an empty path segment (two dots in a row, or one at the end?)", k)
	}
	return key{kind: kind, path: path}, nil
}

// scalarNode reads a value as YAML: the node that "field: VALUE" would
// have given in the file. A value may also be a flow collection ([1, 2]
// or {a: 1}) when given through the library rather than --set, which
// splits on commas.
func scalarNode(v string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(v), &doc); err != nil {
		return nil, fmt.Errorf("value %q is not a YAML value: %w", v, err)
	}
	if len(doc.Content) != 1 {
		return nil, fmt.Errorf("value %q is empty", v)
	}
	n := doc.Content[0]
	// Comments and positions from parsing the value alone would only
	// confuse the re-encoded file.
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	return n, nil
}

// ---- network files: a path through the parsed YAML tree ----

// setNet replaces the node at path in a network file's tree (the root
// mapping) with val. Mapping keys are matched exactly; list items by
// their name: field (names that contain dots work: the longest match
// wins), or else by index. The last segment may name a field the mapping
// does not have yet — the network file's own reader then judges whether
// such a field exists — but every segment before it must exist. A path
// through a YAML alias is refused: changing the anchored node would change
// every place that refers to it.
func setNet(root *yaml.Node, path []string, val *yaml.Node) error {
	n := root
	for i := 0; i < len(path); {
		where := "net"
		if i > 0 {
			where = "net." + strings.Join(path[:i], ".")
		}
		if n.Kind == yaml.AliasNode {
			return fmt.Errorf("%s is a YAML alias (*%s): setting a node through it would change every use of the anchor; write the node out in the file", where, n.Value)
		}
		switch n.Kind {
		case yaml.MappingNode:
			seg := path[i]
			j := mappingIndex(n, seg)
			if j < 0 {
				if i == len(path)-1 {
					n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}, val)
					return nil
				}
				keys := mappingKeys(n)
				return fmt.Errorf("%s has no field %q%s (it has: %s)", where, seg, netfile.DidYouMean(seg, keys), strings.Join(keys, ", "))
			}
			if i == len(path)-1 {
				n.Content[j+1] = val
				return nil
			}
			n = n.Content[j+1]
			i++
		case yaml.SequenceNode:
			j, used := sequenceItem(n, path[i:])
			if j < 0 {
				names := sequenceNames(n)
				msg := fmt.Sprintf("%s has no item named or numbered %q", where, path[i])
				if len(names) > 0 {
					msg += netfile.DidYouMean(path[i], names) + fmt.Sprintf(" (its items: %s; or by index 0..%d)", strings.Join(names, ", "), len(n.Content)-1)
				} else if len(n.Content) > 0 {
					msg += fmt.Sprintf(" (its items are numbered 0..%d)", len(n.Content)-1)
				} else {
					msg += " (it is empty)"
				}
				return fmt.Errorf("%s", msg)
			}
			if i+used == len(path) {
				n.Content[j] = val
				return nil
			}
			n = n.Content[j]
			i += used
		default:
			return fmt.Errorf("%s is a value (%s), not a mapping or list: nothing inside it to set for %s", where, clip(n.Value), "net."+strings.Join(path, "."))
		}
	}
	return nil
}

// mappingIndex is the index in n.Content of the key named name, or -1.
func mappingIndex(n *yaml.Node, name string) int {
	for j := 0; j+1 < len(n.Content); j += 2 {
		if n.Content[j].Value == name {
			return j
		}
	}
	return -1
}

func mappingKeys(n *yaml.Node) []string {
	var keys []string
	for j := 0; j+1 < len(n.Content); j += 2 {
		keys = append(keys, n.Content[j].Value)
	}
	return keys
}

// sequenceItem finds the list item that the first segments of path name,
// and how many segments the name took: an item's name (the longest
// dotted run of segments that is one), else a plain index.
func sequenceItem(n *yaml.Node, path []string) (item, used int) {
	for k := len(path); k >= 1; k-- {
		name := strings.Join(path[:k], ".")
		for j, it := range n.Content {
			if itemName(it) == name {
				return j, k
			}
		}
	}
	if j, err := strconv.Atoi(path[0]); err == nil && j >= 0 && j < len(n.Content) && path[0] == strconv.Itoa(j) {
		return j, 1
	}
	return -1, 0
}

// itemName is a list item's name: field, or "".
func itemName(it *yaml.Node) string {
	if it.Kind != yaml.MappingNode {
		return ""
	}
	if j := mappingIndex(it, "name"); j >= 0 && it.Content[j+1].Kind == yaml.ScalarNode {
		return it.Content[j+1].Value
	}
	return ""
}

func sequenceNames(n *yaml.Node) []string {
	var names []string
	for _, it := range n.Content {
		if name := itemName(it); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// ---- preset files: a path through the Spec's fields ----

// checkPresetPath checks a preset key's path against the fields a preset
// file may hold (Spec's yaml names, plus base), so that a typo is caught
// before any run starts, with the fields that do exist. It cannot go into
// a list (packet.fields): a list is set whole, in a preset file.
func checkPresetPath(path []string) error {
	t := reflect.TypeFor[preset.Spec]()
	for i, seg := range path {
		where := "preset"
		if i > 0 {
			where = "preset." + strings.Join(path[:i], ".")
		}
		if t.Kind() != reflect.Struct {
			what := "a value"
			if t.Kind() == reflect.Slice {
				what = "a list"
			}
			return fmt.Errorf("%s is %s: a sweep cannot set a node inside it (write a preset file per variant and sweep preset.base, or give --preset FILE)", where, what)
		}
		fields := yamlFields(t)
		if i == 0 {
			fields = append([]field{{name: "base", typ: reflect.TypeFor[string]()}}, fields...)
		}
		k := slices.IndexFunc(fields, func(f field) bool { return f.name == seg })
		if k < 0 {
			names := make([]string, len(fields))
			for j, f := range fields {
				names[j] = f.name
			}
			return fmt.Errorf("%s has no field %q%s (it has: %s)", where, seg, netfile.DidYouMean(seg, names), strings.Join(names, ", "))
		}
		t = fields[k].typ
	}
	return nil
}

type field struct {
	name string
	typ  reflect.Type
}

// yamlFields lists a struct's fields under their yaml names, with inline
// structs flattened, as the YAML decoder sees them.
func yamlFields(t reflect.Type) []field {
	var out []field
	for sf := range t.Fields() {
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			out = append(out, yamlFields(sf.Type)...)
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		out = append(out, field{name: name, typ: sf.Type})
	}
	return out
}

// setPreset sets path in a preset file's tree (its root mapping) to val,
// adding the mappings on the way that the file does not have: a preset
// file holds only the fields it overrides. checkPresetPath has already
// vetted the path.
func setPreset(root *yaml.Node, path []string, val *yaml.Node) error {
	n := root
	for i, seg := range path {
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("preset.%s: the preset file has a %s there, not a mapping", strings.Join(path[:i], "."), kindName(n))
		}
		j := mappingIndex(n, seg)
		if i == len(path)-1 {
			if j < 0 {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}, val)
			} else {
				n.Content[j+1] = val
			}
			return nil
		}
		if j < 0 {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"})
			j = len(n.Content) - 2
		}
		n = n.Content[j+1]
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	case yaml.ScalarNode:
		return "value"
	}
	return "node"
}

// ---- messages ----

// clip shortens a value quoted in a message, whole characters only.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return strconv.Quote(string(r[:40]) + "…")
	}
	return strconv.Quote(s)
}
