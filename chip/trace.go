package chip

// Tracer receives what the chip does while it runs: the raw material of
// cycle-accurate traces (VCD, Perfetto). Calls come from the run's single
// event loop, never concurrently. Within a step they come in processing
// order, which is time order for packet and synapse events but not across
// kinds (a sweep is reported whole before the packets it sends); EndStep
// closes a step, and nothing reported later starts before its end. A
// tracer that writes a time-ordered format buffers one step.
//
// Core and router identities are global core ids and tile indices
// (x + y·width).
type Tracer interface {
	// Sweep: core swept its neurons for step over [startPS, startPS+durPS).
	Sweep(step, core int32, startPS, durPS int64, active, inactive int)
	// Synapses: core performed ops synaptic ops for a packet on axon.
	Synapses(step, core int32, startPS, durPS int64, axon int32, ops int, packet uint64)
	// Spike: a neuron of a population fired (inputs: injected) at timePS.
	Spike(step int32, timePS int64, population, neuron int32)
	// Packet: a packet moved. Inject gives its source tile; Hop the tile it
	// left and the tile it reached at timePS; Deliver its target core.
	Packet(ev PacketEvent)
	// Learn: core's learning engines updated synapses after the barrier,
	// over [startPS, startPS+durPS). Reported just before EndStep.
	Learn(step, core int32, startPS, durPS int64, updates int)
	// EndStep: the step's work ended at workEndPS; the barrier (and any
	// learning) then ran until endPS (the next step's start).
	EndStep(step int32, startPS, workEndPS, endPS int64)
}

// PacketEventKind says what happened to a packet.
type PacketEventKind uint8

const (
	PacketInject PacketEventKind = iota + 1
	PacketHop
	PacketDeliver
)

// PacketEvent is one move of one packet.
type PacketEvent struct {
	Kind     PacketEventKind
	Packet   uint64 // unique within the run
	Step     int32
	FromPS   int64 // when the move started (inject: the injection time)
	TimePS   int64 // when it ended
	FromTile int32
	ToTile   int32
	Core     int32 // target core
	Axon     int32 // target axon
	// WaitPS (a hop of the cycle-accurate mesh) is how long the packet's
	// head waited at the router it left before FromPS, beyond its zero-load
	// pipeline (route computation and VC allocation): for an output VC, a
	// credit or the switch, and at its first router also in its source
	// queue. 0 with the per-hop model, whose waits are for the output port
	// and show as the time from FromPS to the hop taking the port.
	WaitPS int64
}
