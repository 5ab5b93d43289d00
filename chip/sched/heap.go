package sched

// Heap is a 4-ary min-heap of Event values ordered by Event.Less. It is the
// reference Queue: simple, O(log n) per operation, correct for any event
// times. The zero value is an empty heap ready to use.
type Heap struct {
	h []Event
}

var _ Queue = (*Heap)(nil)

// NewHeap returns an empty Heap.
func NewHeap() *Heap { return &Heap{} }

// Len is the number of pending events.
func (q *Heap) Len() int { return len(q.h) }

// Push adds e.
func (q *Heap) Push(e Event) {
	q.h = append(q.h, e)
	h := q.h
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) >> 2
		if !less(&e, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// Peek returns the smallest event without removing it.
func (q *Heap) Peek() (Event, bool) {
	if len(q.h) == 0 {
		return Event{}, false
	}
	return q.h[0], true
}

// Pop removes and returns the smallest event.
func (q *Heap) Pop() (Event, bool) {
	n := len(q.h) - 1
	if n < 0 {
		return Event{}, false
	}
	top := q.h[0]
	last := q.h[n]
	q.h = q.h[:n]
	if n > 0 {
		q.siftDown(last)
	}
	return top, true
}

// top returns a pointer to the smallest event; the heap must not be empty.
func (q *Heap) top() *Event { return &q.h[0] }

// siftDown places e in the hole at the root and moves it down.
func (q *Heap) siftDown(e Event) {
	h := q.h
	n := len(h)
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if less(&h[j], &h[m]) {
				m = j
			}
		}
		if !less(&h[m], &e) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = e
}

// Each calls fn for every pending event, in heap (not sorted) order.
func (q *Heap) Each(fn func(Event)) {
	for _, e := range q.h {
		fn(e)
	}
}
