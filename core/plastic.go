package core

import (
	"errors"
	"fmt"

	"github.com/tessera-sim/tessera/core/learn"
)

// PlasticGroup is one block of plastic synapses on a core: every neuron of
// the core (post) from each of a list of input axons (pre), with a learning
// rule (package core/learn). Its weights live in the learning engine, not
// in the static synapse memory; an axon may feed both.
type PlasticGroup struct {
	Params learn.Params
	// Axons[j] is the core axon of pre input j.
	Axons []uint32
	// Weights are the initial weights, [post][pre]: len = neurons × len(Axons).
	Weights []int32
	// Rounder, if set, replaces the seeded rounding source (tests replay
	// recorded draws through it). It is not part of a chip image.
	Rounder learn.Rounder
}

// plastic is a plastic group's running state.
type plastic struct {
	cfg     *PlasticGroup
	eng     *learn.Engine
	acc     []int32 // drive summed over this step's pre spikes
	accStep int32   // step of the spikes in acc (0: empty)
	updates uint64  // engine updates already charged
}

// plasticAt lists, per axon, the (group, pre index) pairs it feeds.
type plasticRef struct {
	group int32
	pre   int32
}

func checkPlastic(cfg Config, n int) error {
	var errs []error
	axons := len(cfg.AxonStart) - 1
	for g, pg := range cfg.Plastic {
		if err := pg.Params.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("plastic group %d: %w", g, err))
		}
		if len(pg.Weights) != n*len(pg.Axons) {
			errs = append(errs, fmt.Errorf("plastic group %d: %d weights for %d neurons × %d inputs", g, len(pg.Weights), n, len(pg.Axons)))
		}
		for j, a := range pg.Axons {
			if int(a) >= axons {
				errs = append(errs, fmt.Errorf("plastic group %d: input %d on axon %d, core has %d", g, j, a, axons))
				break
			}
		}
	}
	return errors.Join(errs...)
}

// initPlastic builds the engines, with a rounder per group derived from seed.
func (c *Core) initPlastic(seed uint64) error {
	if len(c.cfg.Plastic) == 0 {
		return nil
	}
	if c.plasticAt == nil {
		c.plasticAt = make([][]plasticRef, c.NumAxons())
		for g := range c.cfg.Plastic {
			for j, a := range c.cfg.Plastic[g].Axons {
				c.plasticAt[a] = append(c.plasticAt[a], plasticRef{int32(g), int32(j)})
			}
		}
	}
	c.plastic = c.plastic[:0]
	for g := range c.cfg.Plastic {
		pg := &c.cfg.Plastic[g]
		var rnd learn.Rounder = learn.NewSeededRounder(seed ^ uint64(g+1)*0xbf58476d1ce4e5b9)
		if pg.Rounder != nil {
			rnd = pg.Rounder
		}
		eng, err := learn.New(pg.Params, len(pg.Axons), c.n, pg.Weights, rnd)
		if err != nil {
			return fmt.Errorf("plastic group %d: %w", g, err)
		}
		c.plastic = append(c.plastic, plastic{cfg: pg, eng: eng, acc: make([]int32, c.n)})
	}
	return nil
}

// receivePlastic handles a spike on axon for the plastic groups it feeds:
// traces see the pre spike, and the group's current weights join the
// step's drive. It returns the synaptic ops (one per post neuron).
func (c *Core) receivePlastic(axon int, emitStep int32) int {
	ops := 0
	for _, ref := range c.plasticAt[axon] {
		p := &c.plastic[ref.group]
		if p.accStep != emitStep {
			c.foldPlastic(p)
			p.accStep = emitStep
		}
		p.eng.PreSpike(int(emitStep), int(ref.pre))
		p.eng.AddWeights(int(ref.pre), p.acc)
		ops += c.n
	}
	return ops
}

// foldPlastic scales a group's summed drive by its weight exponent — per
// emission step, as Lava's LearningDense does — and adds it to the
// dendrite of the step after.
func (c *Core) foldPlastic(p *plastic) {
	if p.accStep == 0 {
		return
	}
	slot := c.ringSlot(p.accStep + 1)
	exp := p.cfg.Params.WeightExp
	for i, x := range p.acc {
		if x != 0 {
			slot[i] += learn.ScaleDrive(x, exp)
			p.acc[i] = 0
		}
	}
	p.accStep = 0
}

// ringSlot is the dendrite slot of a step.
func (c *Core) ringSlot(step int32) []int32 {
	s := int(step) & (c.depth - 1)
	return c.ring[s*c.n : (s+1)*c.n]
}

// postPlastic tells the plastic groups which neurons fired in step.
func (c *Core) postPlastic(step int32) {
	for g := range c.plastic {
		for _, f := range c.fires {
			c.plastic[g].eng.PostSpike(int(step), int(f.Neuron))
		}
	}
}

// Learn ends step for the learning engines: at the end of an epoch they
// update their synapses. It returns the synapse updates made, each charged
// Spec.SynUpdate (the chip adds their latency after the barrier).
func (c *Core) Learn(step int32) int {
	var total uint64
	for g := range c.plastic {
		p := &c.plastic[g]
		p.eng.EndStep(int(step))
		u := p.eng.Updates()
		total += u - p.updates
		p.updates = u
	}
	c.count.SynUpdates += total
	return int(total)
}

// PlasticWeights returns the current weights of plastic group g,
// [post][pre]; the slice belongs to the core.
func (c *Core) PlasticWeights(g int) []int32 { return c.plastic[g].eng.Weights() }

// NumPlastic is the number of plastic groups.
func (c *Core) NumPlastic() int { return len(c.plastic) }
