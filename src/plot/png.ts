// SVG to PNG with resvg (a prebuilt binary inside its npm package), loaded only when a PNG is asked for.
// Fonts come from the system (DejaVu Sans); without them resvg would silently drop all text.

export async function svgToPng(svg: string, options: { scale?: number } = {}): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: options.scale ?? 1 },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}
