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

// MaxCalendarBuckets bounds CalendarSpec.NumBuckets (the wheel costs 12
// bytes per bucket even when empty).
const MaxCalendarBuckets = 1 << 22

// DefaultCalendarSpec suits a chip: events 1–100 ns apart and up to about
// 1 µs ahead. Buckets are 128 ps wide and 8192 of them cover 1.05 µs, so
// almost every event goes straight into the wheel.
func DefaultCalendarSpec() CalendarSpec {
	return CalendarSpec{BucketWidthPS: 128, NumBuckets: 8192}
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
// bucket gives its blocks back for reuse. A block's fill count and link are
// kept apart from its events (blockN, blockNext), so that walking a list
// does not touch the events.
type block [blockLen]Event

// slot is one bucket of the wheel: a list of blocks in arrival order.
type slot struct {
	first, last int32 // blocks; -1 if empty
	n           int32 // events
}

// Calendar is a timing-wheel Queue: a ring of NumBuckets buckets, each
// BucketWidthPS wide, for near events, and an overflow Heap for events
// beyond the wheel. It pops exactly the sequence a Heap would pop for the
// same operations, for any event times, with O(1) amortised work per event.
// See the package documentation for how to size it.
//
// Internally time is cut into buckets numbered TimePS >> log2(width). The
// current bucket cur has been sorted into run; the wheel holds buckets
// cur+1 … cur+NumBuckets-1 unsorted (in arrival order, sorted when cur
// reaches them); far holds every later event; late holds events at or
// before cur that arrived after cur was sorted and could not simply be
// appended to run.
type Calendar struct {
	spec  CalendarSpec
	shift uint   // log2(BucketWidthPS)
	wmask uint64 // BucketWidthPS-1
	nb    uint64 // NumBuckets
	mask  uint64 // NumBuckets-1

	count  int   // pending events, everywhere
	cur    int64 // bucket number of run
	lastPS int64 // time of the last popped event

	run  []Event // current bucket, sorted; run[head:] is pending
	head int
	late Heap // events with bucket ≤ cur that are not in run
	far  Heap // events with bucket ≥ cur+NumBuckets

	wheelLen  int // events in the wheel's slots
	slots     []slot
	occupied  []uint64 // bit s set iff slots[s] is non-empty
	summary   []uint64 // bit w set iff occupied[w] != 0
	blocks    []block
	blockN    []int32 // events used in each block
	blockNext []int32 // next block of the same slot, or of the free list; -1 ends
	free      int32   // free-list head, -1 if none

	// What the bucket sort may assume, since the queue was last empty.
	phaseOr    uint8  // OR of every Phase pushed: the key bits Phase needs
	lastSeq    uint64 // Seq of the last Push
	seqRising  bool   // every Push had a larger Seq than the one before
	pushedOnce bool   // lastSeq is set

	tmp  []Event  // sort scratch
	keys []uint64 // key sort scratch
	hist []int32  // radix sort counters
	sink int64    // keeps touch's loads alive
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
		spec:      spec,
		shift:     uint(bits.TrailingZeros64(uint64(spec.BucketWidthPS))),
		wmask:     uint64(spec.BucketWidthPS - 1),
		nb:        uint64(nb),
		mask:      uint64(nb - 1),
		slots:     make([]slot, nb),
		occupied:  make([]uint64, nw),
		summary:   make([]uint64, (nw+63)/64),
		free:      -1,
		seqRising: true,
	}
	for i := range c.slots {
		c.slots[i] = slot{first: -1, last: -1}
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
	if c.count == 0 {
		c.restart(b)
	}
	c.count++
	c.phaseOr |= e.Phase
	if e.Seq <= c.lastSeq && c.pushedOnce {
		c.seqRising = false
	}
	c.lastSeq, c.pushedOnce = e.Seq, true

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

// restart re-anchors the empty calendar before pushing an event of bucket b.
// Every bucket is empty, so any cur is consistent: take the bucket just
// before the last popped time (a Scheduler never pushes before it), or just
// before b if b is earlier, so that what comes next lands in the wheel
// rather than in late.
func (c *Calendar) restart(b int64) {
	c.cur = min(b, c.lastPS>>c.shift)
	if c.cur > math.MinInt64 {
		c.cur--
	}
	c.run = c.run[:0]
	c.head = 0
	c.phaseOr = 0
	c.seqRising, c.pushedOnce = true, false
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
	// The wheel's window moved; bring in the far events it now covers. They
	// come out of far in order, and before any Push could reach their
	// bucket directly.
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

// appendSlot adds e to the end of slot s.
func (c *Calendar) appendSlot(s uint64, e Event) {
	sl := &c.slots[s]
	t := sl.last
	if t < 0 {
		t = c.allocBlock()
		sl.first, sl.last = t, t
		w := s >> 6
		if c.occupied[w] == 0 {
			c.summary[w>>6] |= 1 << (w & 63)
		}
		c.occupied[w] |= 1 << (s & 63)
	} else if c.blockN[t] == blockLen {
		nt := c.allocBlock()
		c.blockNext[t] = nt
		sl.last = nt
		t = nt
	}
	sl.n++
	c.blocks[t][c.blockN[t]] = e
	c.blockN[t]++
	c.wheelLen++
}

func (c *Calendar) allocBlock() int32 {
	if i := c.free; i >= 0 {
		c.free = c.blockNext[i]
		c.blockNext[i] = -1
		return i
	}
	c.blocks = append(c.blocks, block{})
	c.blockN = append(c.blockN, 0)
	c.blockNext = append(c.blockNext, -1)
	return int32(len(c.blocks) - 1)
}

// events returns the events stored in block bi.
func (c *Calendar) events(bi int32) []Event { return c.blocks[bi][:c.blockN[bi]] }

// freeBlock returns block bi to the free list and gives its successor.
func (c *Calendar) freeBlock(bi int32) int32 {
	next := c.blockNext[bi]
	c.blockN[bi] = 0
	c.blockNext[bi] = c.free
	c.free = bi
	return next
}

// take detaches slot s, which must not be empty, from the wheel and returns
// its first block and its event count; the caller copies the events out and
// frees the blocks.
func (c *Calendar) take(s uint64) (first int32, k int) {
	sl := c.slots[s]
	c.slots[s] = slot{first: -1, last: -1}
	c.wheelLen -= int(sl.n)
	w := s >> 6
	c.occupied[w] &^= 1 << (s & 63)
	if c.occupied[w] == 0 {
		c.summary[w>>6] &^= 1 << (w & 63)
	}
	return sl.first, int(sl.n)
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
	for _, sl := range c.slots {
		for bi := sl.first; bi >= 0; bi = c.blockNext[bi] {
			for _, e := range c.events(bi) {
				fn(e)
			}
		}
	}
	c.far.Each(fn)
}

// Sorting a bucket.
//
// A bucket's events sit in arrival order. While every Push carries a larger
// Seq than the one before (a Scheduler guarantees it), events with equal
// (TimePS, Phase) are therefore already in Seq order: the far heap's events
// migrate in order and before any Push can reach their bucket directly.
// So a stable sort on the key (time offset in the bucket, Phase) is enough,
// and a radix sort does that in O(k) — which keeps a dense bucket cheap (a
// million pending events 5 ns apart put some 50 000 events in one 256 ps
// bucket). If seqs were pushed in any other order, the result is checked
// with Event.Less and comparison-sorted when needed, so the order is exact
// for every Queue user.

const (
	insertionMaxEvents = 8    // buckets this small are insertion-sorted
	radixMinEvents     = 1024 // buckets this large are radix-sorted,
	radixDensity       = 8    // and so are those with ≥ 1 event per 8 key values; others key-sorted
	keyIndexBits       = 20   // keySort packs (key, index) into 64 bits
	radixMaxBits       = 64 - keyIndexBits
	radixDigitBits     = 11 // at most 2048 counters per radix pass
)

// gather replaces run with the events of slot s, sorted.
func (c *Calendar) gather(s uint64) {
	first, k := c.take(s)
	pb := uint(bits.Len8(c.phaseOr))
	keyBits := c.shift + pb
	switch {
	case k <= insertionMaxEvents || keyBits > radixMaxBits:
		for bi := first; bi >= 0; {
			c.run = append(c.run, c.events(bi)...)
			bi = c.freeBlock(bi)
		}
		sortEvents(c.run)
		return
	case k < radixMinEvents && k < 1<<keyBits/radixDensity:
		c.keySort(first, pb)
	default:
		c.radixSort(first, k, pb, keyBits)
	}
	if c.seqRising {
		return
	}
	for i := 1; i < k; i++ {
		if less(&c.run[i], &c.run[i-1]) {
			slices.SortFunc(c.run, cmpEvent)
			return
		}
	}
}

// bucketKey is the sort key of e within its bucket: the time offset in the
// bucket, then the Phase (pb bits).
func (c *Calendar) bucketKey(e *Event, pb uint) uint64 {
	return (uint64(e.TimePS)&c.wmask)<<pb | uint64(e.Phase)
}

// keySort fills run with the events of the block list first, stably sorted
// on bucketKey, and frees the blocks. It sorts packed (key, arrival index)
// words instead of moving 32-byte events around.
func (c *Calendar) keySort(first int32, pb uint) {
	tmp := c.tmp[:0]
	keys := c.keys[:0]
	for bi := first; bi >= 0; {
		ev := c.events(bi)
		for i := range ev {
			keys = append(keys, c.bucketKey(&ev[i], pb)<<keyIndexBits|uint64(len(tmp)+i))
		}
		tmp = append(tmp, ev...)
		bi = c.freeBlock(bi)
	}
	slices.Sort(keys)
	run := c.run[:0]
	for _, kk := range keys {
		run = append(run, tmp[kk&(1<<keyIndexBits-1)])
	}
	c.run, c.tmp, c.keys = run, tmp, keys
}

// radixSort fills run with the k events of the block list first, stably
// sorted on bucketKey (keyBits wide) by LSD radix passes, and frees the
// blocks. Passes whose digit is the same for every event are skipped.
func (c *Calendar) radixSort(first int32, k int, pb, keyBits uint) {
	passes := (keyBits + radixDigitBits - 1) / radixDigitBits
	var db uint
	if passes > 0 {
		db = (keyBits + passes - 1) / passes
	}
	radix := 1 << db
	dmask := uint64(radix - 1)

	if cap(c.hist) < int(passes)*radix {
		c.hist = make([]int32, int(passes)*radix)
	}
	hist := c.hist[:int(passes)*radix]
	clear(hist)
	// The blocks were written long ago and are likely out of cache. Loading
	// from a block a few links ahead lets those misses overlap with the
	// counting (the list order defeats the hardware prefetcher).
	ahead := first
	for range touchAhead {
		if ahead >= 0 {
			ahead = c.blockNext[ahead]
		}
	}
	var sink int64
	for bi := first; bi >= 0; bi = c.blockNext[bi] {
		if ahead >= 0 {
			sink += c.touch(ahead)
			ahead = c.blockNext[ahead]
		}
		ev := c.events(bi)
		if passes == 1 {
			for i := range ev {
				hist[c.bucketKey(&ev[i], pb)&dmask]++
			}
			continue
		}
		for i := range ev {
			key := c.bucketKey(&ev[i], pb)
			for p := range passes {
				hist[int(p)*radix+int((key>>(p*db))&dmask)]++
			}
		}
	}
	c.sink += sink
	// Keep the passes whose digit varies; turn counts into start offsets.
	var active [(64 + radixDigitBits - 1) / radixDigitBits]uint
	na := 0
	key0 := c.bucketKey(&c.blocks[first][0], pb)
	for p := range passes {
		h := hist[int(p)*radix : int(p+1)*radix]
		if int(h[(key0>>(p*db))&dmask]) == k {
			continue // every event has the same digit
		}
		sum := int32(0)
		for i, n := range h {
			h[i] = sum
			sum += n
		}
		active[na] = p
		na++
	}

	if cap(c.run) < k {
		c.run = make([]Event, 0, k+k/4)
	}
	if cap(c.tmp) < k {
		c.tmp = make([]Event, 0, k+k/4)
	}
	// Ping-pong between run and tmp so that the last pass lands in run.
	dst, other := c.tmp[:k], c.run[:k]
	if na%2 == 1 || na == 0 {
		dst, other = other, dst
	}

	// The first pass reads the blocks and frees them.
	pos := 0
	for bi := first; bi >= 0; {
		ev := c.events(bi)
		if na == 0 {
			pos += copy(dst[pos:], ev)
		} else {
			h := hist[int(active[0])*radix : int(active[0]+1)*radix]
			shift := active[0] * db
			for i := range ev {
				e := &ev[i]
				d := (c.bucketKey(e, pb) >> shift) & dmask
				dst[h[d]] = *e
				h[d]++
			}
		}
		bi = c.freeBlock(bi)
	}
	for a := 1; a < na; a++ {
		src := dst
		dst, other = other, src
		h := hist[int(active[a])*radix : int(active[a]+1)*radix]
		shift := active[a] * db
		for i := range src {
			e := &src[i]
			d := (c.bucketKey(e, pb) >> shift) & dmask
			dst[h[d]] = *e
			h[d]++
		}
	}
	c.run = c.run[:k]
}

// touchAhead is how many blocks ahead radixSort loads from.
const touchAhead = 4

// touch loads one word from every cache line of block bi and returns their
// sum, so that the loads are not optimised away.
func (c *Calendar) touch(bi int32) int64 {
	b := &c.blocks[bi]
	var s int64
	for j := 0; j < blockLen; j += 2 {
		s += b[j].TimePS
	}
	return s
}

// sortEvents sorts r by Event.Less; it serves small buckets and keys too
// wide to radix-sort. Buckets often arrive sorted (one event, or migrated
// from the far heap), so that case costs one pass.
func sortEvents(r []Event) {
	for i := 1; i < len(r); i++ {
		if less(&r[i], &r[i-1]) {
			if len(r) <= 2*insertionMaxEvents {
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
