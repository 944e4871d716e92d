/**
 * The scrolling waterfall. WebGL2: the rows live in a `width x rows` R32F texture used as a ring
 * buffer, one `texSubImage2D` of one row per frame (a few kB), and the fragment shader maps dB to
 * colour through a 256-entry palette texture, so changing the colour scale recolours the whole
 * history at once and scrolling costs nothing. Without WebGL2 (old GPU, blocked driver) a 2D canvas
 * does the same by shifting its pixels one row per frame, and the page says so.
 */
import { turboLut } from './colormap.ts';
import { NO_DATA } from './resample.ts';

export type RendererKind = 'webgl2' | 'canvas2d';

export interface WaterfallRenderer {
  readonly kind: RendererKind;
  readonly width: number;
  readonly rows: number;
  /** Adds the newest row (`width` dB values; {@link NO_DATA} where nothing was measured). */
  pushRow(db: Float32Array): void;
  setScale(minDb: number, maxDb: number): void;
  draw(): void;
  clear(): void;
  dispose(): void;
}

const VERTEX = `#version 300 es
out vec2 uv;
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  uv = vec2(p.x, 1.0 - p.y);
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

const FRAGMENT = `#version 300 es
precision highp float;
uniform sampler2D rowsTex;
uniform sampler2D lutTex;
uniform float head;
uniform float rowCount;
uniform float minDb;
uniform float maxDb;
uniform vec4 background;
in vec2 uv;
out vec4 color;
void main() {
  float r = mod(head - floor(uv.y * rowCount) + rowCount, rowCount);
  float v = texture(rowsTex, vec2(uv.x, (r + 0.5) / rowCount)).r;
  if (v <= ${NO_DATA.toFixed(1)}) { color = background; return; }
  float t = clamp((v - minDb) / max(maxDb - minDb, 0.001), 0.0, 1.0);
  color = texture(lutTex, vec2(t, 0.5));
}`;

function compile(gl: WebGL2RenderingContext, type: number, src: string): WebGLShader {
  const s = gl.createShader(type);
  if (s === null) throw new Error('WebGL2: cannot create a shader');
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS))
    throw new Error(`WebGL2 shader: ${gl.getShaderInfoLog(s) ?? ''}`);
  return s;
}

class GlWaterfall implements WaterfallRenderer {
  readonly kind = 'webgl2';
  private head = -1;
  private minDb = -100;
  private maxDb = -20;
  private readonly program: WebGLProgram;
  private readonly rowsTex: WebGLTexture;
  private readonly loc: Record<
    'head' | 'rowCount' | 'minDb' | 'maxDb' | 'background' | 'rowsTex' | 'lutTex',
    WebGLUniformLocation | null
  >;

  constructor(
    private readonly gl: WebGL2RenderingContext,
    readonly width: number,
    readonly rows: number,
  ) {
    const p = gl.createProgram();
    gl.attachShader(p, compile(gl, gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(p, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS))
      throw new Error(`WebGL2 link: ${gl.getProgramInfoLog(p) ?? ''}`);
    this.program = p;
    gl.useProgram(p);
    this.rowsTex = gl.createTexture();
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.rowsTex);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.R32F, width, rows);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    const lut = gl.createTexture();
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, lut);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 256, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, turboLut());
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    this.loc = {
      head: gl.getUniformLocation(p, 'head'),
      rowCount: gl.getUniformLocation(p, 'rowCount'),
      minDb: gl.getUniformLocation(p, 'minDb'),
      maxDb: gl.getUniformLocation(p, 'maxDb'),
      background: gl.getUniformLocation(p, 'background'),
      rowsTex: gl.getUniformLocation(p, 'rowsTex'),
      lutTex: gl.getUniformLocation(p, 'lutTex'),
    };
    gl.uniform1i(this.loc.rowsTex, 0);
    gl.uniform1i(this.loc.lutTex, 1);
    gl.bindVertexArray(gl.createVertexArray());
    this.clear();
  }

  pushRow(db: Float32Array): void {
    const gl = this.gl;
    this.head = (this.head + 1) % this.rows;
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.rowsTex);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, this.head, this.width, 1, gl.RED, gl.FLOAT, db);
  }

  setScale(minDb: number, maxDb: number): void {
    this.minDb = minDb;
    this.maxDb = maxDb;
  }

  clear(): void {
    const gl = this.gl;
    const empty = new Float32Array(this.width * this.rows).fill(NO_DATA);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.rowsTex);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, this.width, this.rows, gl.RED, gl.FLOAT, empty);
    this.head = -1;
  }

  draw(): void {
    const gl = this.gl;
    gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
    gl.useProgram(this.program);
    gl.uniform1f(this.loc.head, Math.max(0, this.head));
    gl.uniform1f(this.loc.rowCount, this.rows);
    gl.uniform1f(this.loc.minDb, this.minDb);
    gl.uniform1f(this.loc.maxDb, this.maxDb);
    gl.uniform4f(this.loc.background, 0.02, 0.03, 0.06, 1);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
  }

  dispose(): void {
    this.gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}

class CanvasWaterfall implements WaterfallRenderer {
  readonly kind = 'canvas2d';
  private readonly row: ImageData;
  private readonly lut = turboLut();
  private minDb = -100;
  private maxDb = -20;

  constructor(
    private readonly ctx: CanvasRenderingContext2D,
    readonly width: number,
    readonly rows: number,
  ) {
    this.row = ctx.createImageData(width, 1);
    this.clear();
  }

  pushRow(db: Float32Array): void {
    const c = this.ctx.canvas;
    this.ctx.drawImage(c, 0, 0, c.width, c.height - 1, 0, 1, c.width, c.height - 1);
    const px = this.row.data;
    const span = Math.max(this.maxDb - this.minDb, 0.001);
    for (let i = 0; i < this.width; i++) {
      const v = db[i] ?? NO_DATA;
      const j = i * 4;
      if (v <= NO_DATA) {
        px[j] = 5;
        px[j + 1] = 8;
        px[j + 2] = 15;
      } else {
        const k = Math.round(Math.min(1, Math.max(0, (v - this.minDb) / span)) * 255) * 4;
        px[j] = this.lut[k] ?? 0;
        px[j + 1] = this.lut[k + 1] ?? 0;
        px[j + 2] = this.lut[k + 2] ?? 0;
      }
      px[j + 3] = 255;
    }
    this.ctx.putImageData(this.row, 0, 0);
  }

  setScale(minDb: number, maxDb: number): void {
    this.minDb = minDb;
    this.maxDb = maxDb;
  }

  clear(): void {
    this.ctx.fillStyle = 'rgb(5,8,15)';
    this.ctx.fillRect(0, 0, this.width, this.rows);
  }

  draw(): void {
    // the canvas already shows the rows
  }

  dispose(): void {}
}

/** A WebGL2 waterfall on `canvas`, or the 2D one when WebGL2 is missing (`forceCanvas` for tests). */
export function createWaterfall(
  canvas: HTMLCanvasElement,
  width: number,
  rows: number,
  forceCanvas = false,
): WaterfallRenderer {
  canvas.width = width;
  canvas.height = rows;
  if (!forceCanvas) {
    const gl = canvas.getContext('webgl2', { preserveDrawingBuffer: true, antialias: false, alpha: false });
    if (gl !== null) {
      try {
        return new GlWaterfall(gl, width, rows);
      } catch {
        // fall through: a context that cannot compile our shaders is as good as none
      }
    }
  }
  // a canvas that gave out a WebGL context cannot give a 2D one: swap in a fresh element
  let target = canvas;
  if (!forceCanvas && canvas.getContext('2d') === null) {
    target = canvas.cloneNode() as HTMLCanvasElement;
    canvas.replaceWith(target);
  }
  const ctx = target.getContext('2d');
  if (ctx === null) throw new Error('this browser can draw neither WebGL2 nor 2D canvas');
  return new CanvasWaterfall(ctx, width, rows);
}
