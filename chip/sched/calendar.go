package sched

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// CalendarSpec sizes a Calendar's timing wheel. The wheel covers
// NumBuckets × BucketWidthPS picoseconds ahead of the current bucket; events
// further ahead wait in the overflow heap.
type CalendarSpec struct {
	// BucketWidthPS is the span of time one bucket holds. A power of two, so
	// the bucket of a time is a shift.
	BucketWidthPS int64 `json:"bucket_width_ps" yaml:"bucket_width_ps"`
	// NumBuckets is the number of buckets in the wheel. A power of two, so
	// the slot of a bucket is a mask.
	NumBuckets int `json:"num_buckets" yaml:"num_buckets"`
}

// MaxCalendarBuckets bounds CalendarSpec.NumBuckets (the wheel's index
// arrays cost 8 bytes per bucket).
const MaxCalendarBuckets = 1 << 22

// DefaultCalendarSpec suits a chip: events 1–100 ns apart and up to about
// 1 µs ahead. Buckets are 256 ps wide and 4096 of them cover 1.05 µs, so
// almost every event goes straight into the wheel.
func DefaultCalendarSpec() CalendarSpec {
	return CalendarSpec{BucketWidthPS: 256, NumBuckets: 4096}
}

// Validate reports every field that is out of range.
func (s CalendarSpec) Validate() error {
	var errs []error
	widthOK, countOK := false, false
	switch {
	case s.BucketWidthPS <= 0:
		errs = append(errs, fmt.Errorf("calendar spec: bucket_width_ps must be > 0, got %d", s.BucketWidthPS))
	case s.BucketWidthPS&(s.BucketWidthPS-1) != 0:
		lo := int64(1) << (63 - bits.LeadingZeros64(uint64(s.BucketWidthPS)))
		errs = append(errs, fmt.Errorf("calendar spec: bucket_width_ps must be a power of two, got %d (try %d or %d)",
			s.BucketWidthPS, lo, lo<<1))
	default:
		widthOK = true
	}
	switch {
	case s.NumBuckets <= 0:
		errs = append(errs, fmt.Errorf("calendar spec: num_buckets must be > 0, got %d", s.NumBuckets))
	case s.NumBuckets&(s.NumBuckets-1) != 0:
		lo := 1 << (63 - bits.LeadingZeros64(uint64(s.NumBuckets)))
		errs = append(errs, fmt.Errorf("calendar spec: num_buckets must be a power of two, got %d (try %d or %d)",
			s.NumBuckets, lo, lo<<1))
	case s.NumBuckets > MaxCalendarBuckets:
		errs = append(errs, fmt.Errorf("calendar spec: num_buckets must be ≤ %d, got %d", MaxCalendarBuckets, s.NumBuckets))
	default:
		countOK = true
	}
	if widthOK && countOK && s.BucketWidthPS > math.MaxInt64/int64(s.NumBuckets) {
		errs = append(errs, fmt.Errorf("calendar spec: wheel span bucket_width_ps × num_buckets = %d × %d overflows int64 picoseconds",
			s.BucketWidthPS, s.NumBuckets))
	}
	return errors.Join(errs...)
}

// blockLen is the number of events in one storage block of a bucket.
const blockLen = 32

// block is a fixed-size chunk of a bucket's events. Blocks live in one arena
// and are linked by index, so the wheel holds no pointers and a drained
// bucket gives its blocks back for reuse.
type block struct {
	ev   [blockLen]Event
	n    int32 // events used in ev
	next int32 // next block of the bucket, or of the free list; -1 ends
}

// Calendar is a timing-wheel Queue: a ring of NumBuckets buckets, each
// BucketWidthPS wide, for near events, and an overflow Heap for events
// beyond the wheel. It pops exactly the sequence a Heap would pop for the
// same operations, for any event times, with O(1) amortised work per event
// when the wheel is sized to the traffic. See the package documentation.
//
// Internally time is cut into buckets numbered TimePS >> log2(width). The
// current bucket cur has been sorted into run; the wheel holds buckets
// cur+1 … cur+NumBuckets-1 unsorted (appended in arrival order, sorted when
// cur reaches them); far holds every later event; late holds events at or
// before cur that arrived after cur was sorted and could not simply be
// appended to run.
type Calendar struct {
	spec  CalendarSpec
	shift uint   // log2(BucketWidthPS)
	nb    uint64 // NumBuckets
	mask  uint64 // NumBuckets-1

	count int   // pending events, everywhere
	cur   int64 // bucket number of run

	run  []Event // current bucket, sorted; run[head:] is pending
	head int
	late Heap // events with bucket ≤ cur not in run
	far  Heap // events with bucket ≥ cur+NumBuckets

	wheelLen int     // events in the wheel's buckets
	first    []int32 // per slot: first block, -1 if empty
	last     []int32 // per slot: last block, -1 if empty
	occupied []uint64
	summary  []uint64 // bit w set iff occupied[w] != 0
	blocks   []block
	free     int32 // free-list head in blocks, -1 if none

	phaseOr uint8   // OR of every Phase pushed: how many key bits Phase needs
	tmp     []Event // radix sort scratch
	hist    []int32 // radix sort counters
	lastPS  int64   // time of the last popped event
}

var _ Queue = (*Calendar)(nil)

// NewCalendar returns an empty Calendar, or an error naming every invalid
// field of spec.
func NewCalendar(spec CalendarSpec) (*Calendar, error) {
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("sched: new calendar: %w", err)
	}
	nb := spec.NumBuckets
	nw := (nb + 63) / 64
	c := &Calendar{
		spec:     spec,
		shift:    uint(bits.TrailingZeros64(uint64(spec.BucketWidthPS))),
		nb:       uint64(nb),
		mask:     uint64(nb - 1),
		first:    make([]int32, nb),
		last:     make([]int32, nb),
		occupied: make([]uint64, nw),
		summary:  make([]uint64, (nw+63)/64),
		free:     -1,
	}
	for i := range c.first {
		c.first[i], c.last[i] = -1, -1
	}
	return c, nil
}

// Spec returns the spec the calendar was built with.
func (c *Calendar) Spec() CalendarSpec { return c.spec }

// Len is the number of pending events.
func (c *Calendar) Len() int { return c.count }

// Push adds e. Any TimePS is accepted, also one before the last popped
// event; such an event simply pops next.
func (c *Calendar) Push(e Event) {
	b := e.TimePS >> c.shift
	c.phaseOr |= e.Phase
	if c.count == 0 {
		// Empty: every bucket is empty, so any cur is consistent. Anchor the
		// wheel just before the last popped time (a Scheduler never pushes
		// before it), or before e if e is earlier, so that what is pushed
		// next lands in the wheel rather than in late.
		c.cur = min(b, c.lastPS>>c.shift)
		if c.cur > math.MinInt64 {
			c.cur--
		}
		c.run = c.run[:0]
		c.head = 0
	}
	c.count++
	if b > c.cur {
		if uint64(b)-uint64(c.cur) < c.nb {
			c.appendSlot(uint64(b)&c.mask, e)
		} else {
			c.far.Push(e)
		}
		return
	}
	if b == c.cur {
		c.pushRun(e)
		return
	}
	c.late.Push(e)
}

// pushRun adds an event of the current bucket: appended to run if that keeps
// run sorted, otherwise into late.
func (c *Calendar) pushRun(e Event) {
	n := len(c.run)
	switch {
	case c.head == n:
		c.run = append(c.run[:0], e)
		c.head = 0
	case !less(&e, &c.run[n-1]):
		if c.head >= 1024 && 2*c.head >= n {
			// Keep a long-lived current bucket from growing run forever.
			n = copy(c.run, c.run[c.head:])
			c.run = c.run[:n]
			c.head = 0
		}
		c.run = append(c.run, e)
	default:
		c.late.Push(e)
	}
}

// Peek returns the smallest event without removing it.
func (c *Calendar) Peek() (Event, bool) {
	if c.count == 0 {
		return Event{}, false
	}
	if c.head == len(c.run) && len(c.late.h) == 0 {
		c.advance()
	}
	if c.head < len(c.run) {
		e := &c.run[c.head]
		if len(c.late.h) == 0 || !less(c.late.top(), e) {
			return *e, true
		}
	}
	return *c.late.top(), true
}

// Pop removes and returns the smallest event.
func (c *Calendar) Pop() (Event, bool) {
	if c.count == 0 {
		return Event{}, false
	}
	if c.head == len(c.run) && len(c.late.h) == 0 {
		c.advance()
	}
	c.count--
	if c.head < len(c.run) {
		e := &c.run[c.head]
		if len(c.late.h) == 0 || !less(c.late.top(), e) {
			c.head++
			c.lastPS = e.TimePS
			return *e, true
		}
	}
	e, _ := c.late.Pop()
	c.lastPS = e.TimePS
	return e, true
}

// advance moves cur to the next bucket that holds events and sorts that
// bucket into run. It requires run and late to be drained and the queue to be
// non-empty.
func (c *Calendar) advance() {
	c.run = c.run[:0]
	c.head = 0
	if c.wheelLen == 0 {
		// Sparse: nothing in the wheel, jump straight to the far minimum.
		c.cur = c.far.top().TimePS >> c.shift
	} else {
		c.cur = int64(uint64(c.cur) + c.nextOccupied())
	}
	// The wheel's window moved; bring the far events it now covers in.
	for len(c.far.h) > 0 {
		b := c.far.top().TimePS >> c.shift
		if uint64(b)-uint64(c.cur) >= c.nb {
			break
		}
		e, _ := c.far.Pop()
		c.appendSlot(uint64(b)&c.mask, e)
	}
	c.gather(uint64(c.cur) & c.mask)
}

// appendSlot adds e to the end of bucket slot s.
func (c *Calendar) appendSlot(s uint64, e Event) {
	t := c.last[s]
	if t < 0 {
		t = c.allocBlock()
		c.first[s], c.last[s] = t, t
		w := s >> 6
		if c.occupied[w] == 0 {
			c.summary[w>>6] |= 1 << (w & 63)
		}
		c.occupied[w] |= 1 << (s & 63)
	} else if c.blocks[t].n == blockLen {
		nt := c.allocBlock()
		c.blocks[t].next = nt
		c.last[s] = nt
		t = nt
	}
	blk := &c.blocks[t]
	blk.ev[blk.n] = e
	blk.n++
	c.wheelLen++
}

func (c *Calendar) allocBlock() int32 {
	if i := c.free; i >= 0 {
		c.free = c.blocks[i].next
		c.blocks[i].next = -1
		return i
	}
	c.blocks = append(c.blocks, block{next: -1})
	return int32(len(c.blocks) - 1)
}

// Sorting a bucket. A bucket's events arrive in Push order. When seqs grow
// with every Push (a Scheduler guarantees it), events with equal (TimePS,
// Phase) are therefore already in Seq order, and a stable LSD radix sort on
// the key (time offset in bucket, Phase) sorts the bucket in O(k) — this is
// what keeps a dense bucket cheap (a million pending events 5 ns apart put
// some 50 000 events in one 256 ps bucket). A final pass checks the result
// with Event.Less and falls back to a comparison sort if seqs were not in
// Push order, so the order is exact for every Queue user. Buckets are
// appended in order, so the far heap's events, which migrate in sorted order
// and before any direct Push to their bucket, keep the property.

const (
	radixMinEvents = 256 // smaller buckets are comparison-sorted
	radixMaxBits   = 44  // wider keys are comparison-sorted
	radixDigitBits = 11  // at most 2048 counters per pass
)

// take detaches slot s from the wheel and returns its first block and its
// event count; the caller copies the events out and frees the blocks.
func (c *Calendar) take(s uint64) (first int32, k int) {
	first = c.first[s]
	if first < 0 {
		return -1, 0
	}
	for bi := first; bi >= 0; bi = c.blocks[bi].next {
		k += int(c.blocks[bi].n)
	}
	c.wheelLen -= k
	c.first[s], c.last[s] = -1, -1
	w := s >> 6
	c.occupied[w] &^= 1 << (s & 63)
	if c.occupied[w] == 0 {
		c.summary[w>>6] &^= 1 << (w & 63)
	}
	return first, k
}

// freeBlock returns block bi to the free list and gives its successor.
func (c *Calendar) freeBlock(bi int32) int32 {
	blk := &c.blocks[bi]
	next := blk.next
	blk.n = 0
	blk.next = c.free
	c.free = bi
	return next
}

// gather replaces run with the events of slot s, sorted.
func (c *Calendar) gather(s uint64) {
	first, k := c.take(s)
	pb := uint(bits.Len8(c.phaseOr))
	keyBits := c.shift + pb
	if k < radixMinEvents || keyBits > radixMaxBits {
		for bi := first; bi >= 0; {
			c.run = append(c.run, c.blocks[bi].ev[:c.blocks[bi].n]...)
			bi = c.freeBlock(bi)
		}
		sortEvents(c.run)
		return
	}
	c.radixSort(first, k, pb, keyBits)
	for i := 1; i < k; i++ {
		if less(&c.run[i], &c.run[i-1]) {
			slices.SortFunc(c.run, cmpEvent) // seqs were not in Push order
			return
		}
	}
}

// radixSort fills run with the k events of the block list first, stably
// sorted on (TimePS mod BucketWidthPS) << pb | Phase, and frees the blocks.
func (c *Calendar) radixSort(first int32, k int, pb, keyBits uint) {
	passes := (keyBits + radixDigitBits - 1) / radixDigitBits
	var db uint
	if passes > 0 {
		db = (keyBits + passes - 1) / passes
	}
	radix := 1 << db
	dmask := uint64(radix - 1)
	wmask := uint64(c.spec.BucketWidthPS - 1)
	key := func(e *Event) uint64 { return (uint64(e.TimePS)&wmask)<<pb | uint64(e.Phase) }

	if cap(c.hist) < int(passes)*radix {
		c.hist = make([]int32, int(passes)*radix)
	}
	hist := c.hist[:int(passes)*radix]
	clear(hist)
	for bi := first; bi >= 0; bi = c.blocks[bi].next {
		blk := &c.blocks[bi]
		for i := range blk.ev[:blk.n] {
			kk := key(&blk.ev[i])
			for p := range passes {
				hist[int(p)*radix+int((kk>>(p*db))&dmask)]++
			}
		}
	}
	// Keep only the passes whose digit varies; turn counts into offsets.
	var active [8]uint
	na := 0
	for p := range passes {
		h := hist[int(p)*radix : int(p+1)*radix]
		trivial := false
		sum := int32(0)
		for i, n := range h {
			if int(n) == k {
				trivial = true
			}
			h[i] = sum
			sum += n
		}
		if !trivial {
			active[na] = p
			na++
		}
	}

	if cap(c.run) < k {
		c.run = make([]Event, 0, k+k/4)
	}
	if cap(c.tmp) < k {
		c.tmp = make([]Event, 0, k+k/4)
	}
	// The last pass must land in run: start in run for an odd count.
	dst, other := c.tmp[:k], c.run[:k]
	if na%2 == 1 {
		dst, other = other, dst
	}
	if na == 0 {
		dst = c.run[:k]
	}

	// First pass reads the blocks (and frees them).
	pos := 0
	var h []int32
	var shift uint
	if na > 0 {
		h = hist[int(active[0])*radix : int(active[0]+1)*radix]
		shift = active[0] * db
	}
	for bi := first; bi >= 0; {
		blk := &c.blocks[bi]
		if na == 0 {
			pos += copy(dst[pos:], blk.ev[:blk.n])
		} else {
			for i := range blk.ev[:blk.n] {
				e := &blk.ev[i]
				d := (key(e) >> shift) & dmask
				dst[h[d]] = *e
				h[d]++
			}
		}
		bi = c.freeBlock(bi)
	}
	for a := 1; a < na; a++ {
		src := dst
		dst, other = other, src
		h = hist[int(active[a])*radix : int(active[a]+1)*radix]
		shift = active[a] * db
		for i := range src {
			e := &src[i]
			d := (key(e) >> shift) & dmask
			dst[h[d]] = *e
			h[d]++
		}
	}
	c.run = c.run[:k]
}

// nextOccupied returns the distance, in buckets, from cur to the next
// non-empty slot of the wheel. The wheel must not be empty; cur's own slot
// is always empty.
func (c *Calendar) nextOccupied() uint64 {
	cs := uint64(c.cur) & c.mask
	start := (cs + 1) & c.mask
	w := start >> 6
	var s uint64
	if m := c.occupied[w] & (^uint64(0) << (start & 63)); m != 0 {
		s = w<<6 | uint64(bits.TrailingZeros64(m))
	} else {
		w = c.nextWord((w + 1) & uint64(len(c.occupied)-1))
		s = w<<6 | uint64(bits.TrailingZeros64(c.occupied[w]))
	}
	return (s - cs) & c.mask
}

// nextWord returns the first non-zero word of occupied at or after word
// start, wrapping around. Some word must be non-zero.
func (c *Calendar) nextWord(start uint64) uint64 {
	sw := start >> 6
	if m := c.summary[sw] & (^uint64(0) << (start & 63)); m != 0 {
		return sw<<6 | uint64(bits.TrailingZeros64(m))
	}
	ns := uint64(len(c.summary))
	for i := uint64(1); i <= ns; i++ {
		j := (sw + i) & (ns - 1)
		if m := c.summary[j]; m != 0 {
			return j<<6 | uint64(bits.TrailingZeros64(m))
		}
	}
	panic("sched: calendar wheel count says non-empty but no bucket is occupied")
}

// Each calls fn for every pending event, in no particular order.
func (c *Calendar) Each(fn func(Event)) {
	for _, e := range c.run[c.head:] {
		fn(e)
	}
	c.late.Each(fn)
	for s := range c.first {
		for bi := c.first[s]; bi >= 0; bi = c.blocks[bi].next {
			for _, e := range c.blocks[bi].ev[:c.blocks[bi].n] {
				fn(e)
			}
		}
	}
	c.far.Each(fn)
}

// sortEvents sorts r by Event.Less. Buckets often arrive sorted (migrated
// from the far heap, or one event), so that case costs one pass.
func sortEvents(r []Event) {
	for i := 1; i < len(r); i++ {
		if less(&r[i], &r[i-1]) {
			if len(r) <= 12 {
				insertionSort(r)
			} else {
				slices.SortFunc(r, cmpEvent)
			}
			return
		}
	}
}

func insertionSort(r []Event) {
	for i := 1; i < len(r); i++ {
		e := r[i]
		j := i
		for j > 0 && less(&e, &r[j-1]) {
			r[j] = r[j-1]
			j--
		}
		r[j] = e
	}
}
