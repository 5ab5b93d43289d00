package nir

import (
	"fmt"
	"strings"
)

// NodeError is one problem with a NIR file, at a node when Node is set.
type NodeError struct {
	File string // the .nir file
	// Node is the node's name; nodes of nested graphs are named
	// "outer/inner" (HDF5 link names cannot contain "/").
	Node string
	Type string // the node's NIR type, when known
	Msg  string
}

func (e *NodeError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	b.WriteString("nir: ")
	if e.Node != "" {
		typ := e.Type
		if typ == "" {
			typ = "unknown type"
		}
		fmt.Fprintf(&b, "node %q (%s): ", e.Node, typ)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in one pass, so that a user sees them all
// at once. Read and Import return it (as an error) when it is not empty.
type ErrorList []*NodeError

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	if len(l) > 1 {
		fmt.Fprintf(&b, "\n(%d errors)", len(l))
	}
	return b.String()
}

// maxErrors bounds the list: past it, one more entry says how many more
// there were not.
const maxErrors = 50

func (l *ErrorList) add(n *Node, format string, args ...any) {
	e := &NodeError{Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Node, e.Type = n.qual, n.Type
	}
	*l = append(*l, e)
}

// addf adds an error that belongs to no node.
func (l *ErrorList) addf(format string, args ...any) {
	*l = append(*l, &NodeError{Msg: fmt.Sprintf(format, args...)})
}

func (l ErrorList) has(n *Node) bool {
	for _, e := range l {
		if e.Node == n.qual {
			return true
		}
	}
	return false
}

// err sets the file on every error and returns the list, or nil.
func (l ErrorList) err(file string) error {
	if len(l) == 0 {
		return nil
	}
	if len(l) > maxErrors {
		extra := len(l) - maxErrors
		l = append(l[:maxErrors:maxErrors], &NodeError{Msg: fmt.Sprintf("%d more errors not shown", extra)})
	}
	for _, e := range l {
		e.File = file
	}
	return l
}
