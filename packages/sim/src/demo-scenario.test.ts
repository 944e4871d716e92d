import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBuiltinScenario } from './demo-scenario.ts';
import { SimReceiver } from './receiver.ts';
import { compileScene } from './scene.ts';

test('the demo scenario has the seven sites at their places, each hearing something', () => {
  const demo = loadBuiltinScenario('demo');
  assert.ok(demo);
  const names = demo.nodes.map((n) => n.name);
  assert.deepEqual(names.sort(), [
    'bratislava',
    'doorn',
    'enschede',
    'graz',
    'hack-green',
    'linkoping',
    'twente',
  ]);
  const near = (name: string, lat: number, lon: number) => {
    const n = demo.nodes.find((x) => x.name === name);
    assert.ok(n && Math.abs(n.latitude - lat) < 0.1 && Math.abs(n.longitude - lon) < 0.1, name);
  };
  near('twente', 52.24, 6.85);
  near('hack-green', 53.03, -2.53);
  near('bratislava', 48.15, 17.11);
  near('doorn', 52.03, 5.35);
  near('graz', 47.07, 15.44);
  near('linkoping', 58.41, 15.62);
  near('enschede', 52.22, 6.89);
  const scene = compileScene(demo);
  for (const n of names) {
    const heard = new SimReceiver(scene, n).heard();
    assert.ok(heard.length > 0, `${n} hears nothing at its default tuning`);
    // strong signals stay below full scale at the default gain (jammers excepted)
    for (const h of heard)
      if (h.emitter.service !== 'jammer')
        assert.ok(h.powerDbfs < -3, `${n}: ${h.emitter.name} ${h.powerDbfs}`);
  }
  const services = new Set(scene.emitters.map((e) => e.service));
  for (const s of ['broadcast', 'amateur', 'utility', 'ism']) assert.ok(services.has(s), s);
  assert.ok(demo.anomalies.length >= 5);
});
