package submission

// Where a key is in a YAML file: the Compose file is read a second time as
// yaml.Node trees, only for line numbers (its meaning comes from
// compose-go).

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// yamlDoc is a YAML file as node trees, one per document.
type yamlDoc struct {
	docs []*yaml.Node
}

// parseYAML reads every document of data. On an error, it returns the
// 1-based line the parser gives (0 if none) and its message without the
// "yaml: line N: " prefix.
func parseYAML(data []byte) (*yamlDoc, int, string) {
	d := &yamlDoc{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return d, 0, ""
		}
		if err != nil {
			line, msg := yamlErrorLine(err.Error())
			return nil, line, msg
		}
		d.docs = append(d.docs, &n)
	}
}

var yamlLineRE = regexp.MustCompile(`\bline (\d+): `)

// yamlErrorLine finds the last "line N: " in a YAML error ("yaml: line 3:
// construct errors: line 14: mapping key…" is about line 14) and returns
// N and what follows.
func yamlErrorLine(msg string) (int, string) {
	all := yamlLineRE.FindAllStringSubmatchIndex(msg, -1)
	if all == nil {
		return 0, msg
	}
	m := all[len(all)-1]
	n, _ := strconv.Atoi(msg[m[2]:m[3]])
	return n, msg[m[1]:]
}

// resolve follows documents and aliases to the node that holds a value.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		case yaml.AliasNode:
			n = n.Alias
		default:
			return n
		}
	}
	return nil
}

// mapEntry finds key in a mapping, through merge keys ("<<") too, and
// returns its key and value nodes.
func mapEntry(n *yaml.Node, key string) (k, v *yaml.Node) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i].Tag != "!!merge" {
			return n.Content[i], n.Content[i+1]
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			continue
		}
		merged := resolve(n.Content[i+1])
		if merged == nil {
			continue
		}
		if merged.Kind == yaml.SequenceNode {
			for _, m := range merged.Content {
				if k, v := mapEntry(m, key); k != nil {
					return k, v
				}
			}
			continue
		}
		if k, v := mapEntry(merged, key); k != nil {
			return k, v
		}
	}
	return nil, nil
}

// node walks path (string keys, int indexes) and returns the deepest node
// reached, its line (the key's line for a mapping entry) and whether the
// whole path was found.
func (d *yamlDoc) node(path ...any) (*yaml.Node, int, bool) {
	if d == nil {
		return nil, 0, false
	}
	var best *yaml.Node
	bestLine, bestDepth := 0, -1
	for _, doc := range d.docs {
		n, line, depth := resolve(doc), 0, 0
		for _, p := range path {
			var next *yaml.Node
			switch p := p.(type) {
			case string:
				k, v := mapEntry(n, p)
				if k != nil {
					next, line = v, k.Line
				}
			case int:
				if s := resolve(n); s != nil && s.Kind == yaml.SequenceNode && p < len(s.Content) {
					next, line = s.Content[p], s.Content[p].Line
				}
			}
			if next == nil {
				break
			}
			n, depth = next, depth+1
		}
		if depth > bestDepth {
			best, bestLine, bestDepth = n, line, depth
		}
	}
	return best, bestLine, bestDepth == len(path)
}

// line is the line of path, or of its deepest part found (0 if none).
func (d *yamlDoc) line(path ...any) int {
	_, l, _ := d.node(path...)
	return l
}

// exactLine is the line of path if it is found, 0 otherwise.
func (d *yamlDoc) exactLine(path ...any) int {
	_, l, ok := d.node(path...)
	if !ok {
		return 0
	}
	return l
}

// items are the nodes of the sequence at path (nil if it is not one).
func (d *yamlDoc) items(path ...any) []*yaml.Node {
	n, _, ok := d.node(path...)
	if n = resolve(n); !ok || n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}
