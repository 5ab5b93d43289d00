// Package sweep runs one network over a grid of configurations — run
// seeds, preset fields, network parameters — and gathers one summary row
// per configuration. It is the library behind tessera sweep; it never
// prints or exits.
//
// # Grid
//
// A Grid is an ordered list of parameters, each a key and its values. The
// configurations are the cartesian product of the values, numbered from 0
// with the first parameter varying slowest and the last fastest: the grid
// seed=1,2 × preset.mesh.width=2,4 is
//
//	run 0  seed=1 preset.mesh.width=2
//	run 1  seed=1 preset.mesh.width=4
//	run 2  seed=2 preset.mesh.width=2
//	run 3  seed=2 preset.mesh.width=4
//
// A grid may have at most MaxRuns configurations. ParseSet reads the
// command line's KEY=V1,V2,... form, with ranges FROM..TO:STEP.
//
// # Keys
//
//	seed            the run seed (chip.Options.Seed); 1 when not swept
//	preset.PATH     a field of the preset file, by its YAML name:
//	                preset.core.syn_op.energy_fj, preset.mesh.width,
//	                preset.mesh_model, preset.base (a built-in to start from)
//	net.PATH        a node of the network file: mapping keys, list items by
//	                their name: or by index — net.inputs.stim.poisson.rate_hz,
//	                net.populations.exc.neuron.vth, net.projections.0.weight
//
// A value is read as a YAML scalar, as if it were written in the file.
// Preset keys edit the preset file's YAML tree (for a built-in preset, the
// tree "base: NAME") and read it with preset.Parse, so an unknown field or
// a bad value is an error as in any preset file. Network keys edit the
// network file's tree, which is re-encoded and read by netfile.Parse under
// the file's own path, so rasters and recordings it names still resolve
// beside it; they need a YAML network file. The last segment of a network
// path may add a field the file leaves out (its reader rejects one that
// does not exist); every other segment must exist, and an error lists what
// does exist where the path stopped matching.
//
// # Running
//
// New checks a Config and reads its files. Sweep.Run runs every
// configuration on a pool of Config.Jobs goroutines (each run on one
// goroutine), stopping at the first error, and writes into Config.Out:
//
//	sweep.json          the grid, network, preset, steps and command line
//	sweep.csv           one row per configuration, in run order: run, one
//	                    column per key, then MetricColumns
//	runs/NNNN/          report.json, row.csv (that run's row), spikes.csv
//	                    if Config.Spikes
//
// The results do not depend on Jobs: every run is deterministic and the
// rows are ordered by run number, so sweep.csv is byte-identical.
//
// # Clusters
//
// Sweep.WriteSlurm writes sweep.json and sweep.sbatch, a Slurm job array
// whose task I calls Sweep.RunTask(I) through tessera sweep --task I. Once
// every task has finished, Collect builds sweep.csv from the runs' row.csv
// files — the same file a local run writes — and names any run that has
// not finished.
package sweep
