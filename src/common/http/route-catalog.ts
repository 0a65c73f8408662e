interface RouterLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

/** Reads the Express router so that a path served for other methods can be answered with 405 and `Allow`. */
export class RouteCatalog {
  private readonly layers: RouterLayer[];

  constructor(expressApp: { router?: { stack: RouterLayer[] } }) {
    this.layers = (expressApp.router?.stack ?? []).filter((layer) => layer.route);
  }

  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    for (const layer of this.layers) {
      if (!layer.match(path)) continue;
      for (const [method, enabled] of Object.entries(layer.route!.methods)) {
        if (enabled && method !== '_all') methods.add(method.toUpperCase());
      }
    }
    return [...methods].sort();
  }
}
