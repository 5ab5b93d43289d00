package trace

import "github.com/tessera-sim/tessera/chip"

// EventKind says which Tracer call an Event is.
type EventKind uint8

const (
	EventSweep EventKind = iota + 1
	EventSynapses
	EventSpike
	EventPacket
	EventEndStep
	EventLearn
)

func (k EventKind) String() string {
	switch k {
	case EventSweep:
		return "sweep"
	case EventSynapses:
		return "synapses"
	case EventSpike:
		return "spike"
	case EventPacket:
		return "packet"
	case EventEndStep:
		return "end-step"
	case EventLearn:
		return "learn"
	}
	return "?"
}

// Event is one Tracer call, kept by a Recorder. Which fields mean something
// depends on Kind:
//
//	Sweep:    Step, Core, StartPS, DurPS, Active, Inactive
//	Synapses: Step, Core, StartPS, DurPS, Axon, Ops, Packet.Packet
//	Spike:    Step, StartPS (the spike time), Population, Neuron
//	Packet:   Packet (the whole chip.PacketEvent)
//	EndStep:  Step, StartPS, WorkEndPS, EndPS
//	Learn:    Step, Core, StartPS, DurPS, Ops (synapse updates)
type Event struct {
	Kind               EventKind
	Step               int32
	Core               int32
	Axon               int32
	Population, Neuron int32
	Active, Inactive   int
	Ops                int
	StartPS, DurPS     int64
	WorkEndPS, EndPS   int64
	Packet             chip.PacketEvent
}

// Replay makes the Tracer call the event records.
func (e *Event) Replay(t chip.Tracer) {
	switch e.Kind {
	case EventSweep:
		t.Sweep(e.Step, e.Core, e.StartPS, e.DurPS, e.Active, e.Inactive)
	case EventSynapses:
		t.Synapses(e.Step, e.Core, e.StartPS, e.DurPS, e.Axon, e.Ops, e.Packet.Packet)
	case EventSpike:
		t.Spike(e.Step, e.StartPS, e.Population, e.Neuron)
	case EventPacket:
		t.Packet(e.Packet)
	case EventEndStep:
		t.EndStep(e.Step, e.StartPS, e.WorkEndPS, e.EndPS)
	case EventLearn:
		t.Learn(e.Step, e.Core, e.StartPS, e.DurPS, e.Ops)
	}
}

// Recorder is a flight recorder: a chip.Tracer that keeps the last N events
// in a ring buffer, at a fixed memory cost, so that a failed or surprising
// run can be looked at after the fact (Dump them into a VCD or Perfetto
// writer). Calls must come from one goroutine.
type Recorder struct {
	ring  []Event
	next  int    // where the next event goes
	total uint64 // events seen
}

// NewRecorder returns a recorder of the last n events (at least 1).
func NewRecorder(n int) *Recorder { return &Recorder{ring: make([]Event, max(n, 1))} }

func (r *Recorder) put(e Event) {
	r.ring[r.next] = e
	r.next++
	if r.next == len(r.ring) {
		r.next = 0
	}
	r.total++
}

// Sweep implements chip.Tracer.
func (r *Recorder) Sweep(step, core int32, startPS, durPS int64, active, inactive int) {
	r.put(Event{Kind: EventSweep, Step: step, Core: core, StartPS: startPS, DurPS: durPS, Active: active,
		Inactive: inactive})
}

// Synapses implements chip.Tracer.
func (r *Recorder) Synapses(step, core int32, startPS, durPS int64, axon int32, ops int, packet uint64) {
	r.put(Event{Kind: EventSynapses, Step: step, Core: core, StartPS: startPS, DurPS: durPS, Axon: axon, Ops: ops,
		Packet: chip.PacketEvent{Packet: packet}})
}

// Spike implements chip.Tracer.
func (r *Recorder) Spike(step int32, timePS int64, population, neuron int32) {
	r.put(Event{Kind: EventSpike, Step: step, StartPS: timePS, Population: population, Neuron: neuron})
}

// Packet implements chip.Tracer.
func (r *Recorder) Packet(ev chip.PacketEvent) {
	r.put(Event{Kind: EventPacket, Step: ev.Step, Packet: ev})
}

// Learn implements chip.Tracer.
func (r *Recorder) Learn(step, core int32, startPS, durPS int64, updates int) {
	r.put(Event{Kind: EventLearn, Step: step, Core: core, StartPS: startPS, DurPS: durPS, Ops: updates})
}

// EndStep implements chip.Tracer.
func (r *Recorder) EndStep(step int32, startPS, workEndPS, endPS int64) {
	r.put(Event{Kind: EventEndStep, Step: step, StartPS: startPS, WorkEndPS: workEndPS, EndPS: endPS})
}

// Cap is the number of events the recorder keeps.
func (r *Recorder) Cap() int { return len(r.ring) }

// Len is the number of events it holds now.
func (r *Recorder) Len() int { return int(min(r.total, uint64(len(r.ring)))) }

// Total is the number of events it has seen; Total − Len were overwritten.
func (r *Recorder) Total() uint64 { return r.total }

// Events returns a copy of the events it holds, oldest first.
func (r *Recorder) Events() []Event {
	out := make([]Event, 0, r.Len())
	r.each(func(e *Event) { out = append(out, *e) })
	return out
}

func (r *Recorder) each(fn func(*Event)) {
	n := r.Len()
	start := r.next - n
	if start < 0 {
		start += len(r.ring)
	}
	for i := range n {
		fn(&r.ring[(start+i)%len(r.ring)])
	}
}

// Dump replays the events it holds, oldest first, into t. The first events
// may be the tail of a step whose start was overwritten: a writer then
// shows that step from its first kept event.
func (r *Recorder) Dump(t chip.Tracer) { r.each(func(e *Event) { e.Replay(t) }) }

// Reset forgets every event.
func (r *Recorder) Reset() {
	clear(r.ring)
	r.next, r.total = 0, 0
}

// Tee returns a tracer that passes every call to each of ts in order (nil
// entries are skipped), for example a Recorder next to a writer.
func Tee(ts ...chip.Tracer) chip.Tracer {
	var out tee
	for _, t := range ts {
		if t != nil {
			out = append(out, t)
		}
	}
	return out
}

type tee []chip.Tracer

func (m tee) Sweep(step, core int32, startPS, durPS int64, active, inactive int) {
	for _, t := range m {
		t.Sweep(step, core, startPS, durPS, active, inactive)
	}
}

func (m tee) Learn(step, core int32, startPS, durPS int64, updates int) {
	for _, t := range m {
		t.Learn(step, core, startPS, durPS, updates)
	}
}

func (m tee) Synapses(step, core int32, startPS, durPS int64, axon int32, ops int, packet uint64) {
	for _, t := range m {
		t.Synapses(step, core, startPS, durPS, axon, ops, packet)
	}
}

func (m tee) Spike(step int32, timePS int64, population, neuron int32) {
	for _, t := range m {
		t.Spike(step, timePS, population, neuron)
	}
}

func (m tee) Packet(ev chip.PacketEvent) {
	for _, t := range m {
		t.Packet(ev)
	}
}

func (m tee) EndStep(step int32, startPS, workEndPS, endPS int64) {
	for _, t := range m {
		t.EndStep(step, startPS, workEndPS, endPS)
	}
}

var _ chip.Tracer = (*Recorder)(nil)
