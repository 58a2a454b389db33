// Ids and edge marks shared by the backward graphs (primitive and book level): ∂J/∂v's id, saved-value edges.
import type { GraphEdge } from "./trace.js";

/** An edge that carries a value the forward pass saved for backward (drawn dashed). */
export interface SavedEdge extends GraphEdge {
  saved: true;
}

export const isSavedEdge = (e: GraphEdge): boolean => (e as Partial<SavedEdge>).saved === true;

/** Id of the gradient variable ∂J/∂v for forward variable id `v`. */
export const gradId = (v: string): string => `d${v}`;
