// A CSV loader for a user's own numeric data: feature columns and one integer label column.
import { failInput } from "../errors.js";
import { readInputText } from "../io/read.js";
import type { Dataset } from "./dataset.js";

export interface CsvOptions {
  /** The label column: an index (negative counts from the end) or a header name; default the last column. */
  label?: number | string;
  /** Whether the first line is a header; detected when not given (a non-numeric first line). */
  header?: boolean;
  delimiter?: string;
}

/** Parses CSV text; labels must be integers >= 0 and every other cell a finite number, else an InputError. */
export function parseCsv(text: string, options: CsvOptions = {}, name = "csv"): Dataset {
  const delimiter = options.delimiter ?? ",";
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) failInput("csv", `${name}: no rows`);
  const cells = lines.map((l) => l.split(delimiter).map((c) => c.trim()));
  const firstNumeric = cells[0].every((c) => c !== "" && Number.isFinite(Number(c)));
  const hasHeader = options.header ?? !firstNumeric;
  const header = hasHeader ? cells[0] : null;
  const rows = hasHeader ? cells.slice(1) : cells;
  const width = cells[0].length;
  if (width < 2) failInput("csv", `${name}: need at least one feature column and a label column`);
  let labelCol = width - 1;
  if (typeof options.label === "string") {
    labelCol = header?.indexOf(options.label) ?? -1;
    if (labelCol < 0) failInput("csv", `${name}: no column named "${options.label}" in the header`);
  } else if (typeof options.label === "number") {
    labelCol = options.label < 0 ? width + options.label : options.label;
    if (labelCol < 0 || labelCol >= width)
      failInput("csv", `${name}: label column ${options.label} is outside ${width} columns`);
  }
  const features = width - 1;
  const x = new Float32Array(rows.length * features);
  const y = new Int32Array(rows.length);
  rows.forEach((row, r) => {
    const line = r + (hasHeader ? 2 : 1);
    if (row.length !== width)
      failInput("csv", `${name}: line ${line} has ${row.length} cells, expected ${width}`);
    let f = 0;
    row.forEach((cell, c) => {
      const v = Number(cell);
      if (cell === "" || !Number.isFinite(v))
        failInput("csv", `${name}: line ${line}, column ${c + 1}: "${cell}" is not a number`);
      if (c === labelCol) {
        if (!Number.isInteger(v) || v < 0)
          failInput("csv", `${name}: line ${line}: label "${cell}" must be an integer >= 0`);
        y[r] = v;
      } else x[r * features + f++] = v;
    });
  });
  const classes = y.reduce((m, v) => Math.max(m, v + 1), 0);
  return { name, count: rows.length, features, classes, x, scale: 1, y };
}

/** Reads and parses a CSV file; a missing, unreadable or malformed file throws an InputError. */
export function loadCsv(path: string, options: CsvOptions = {}): Dataset {
  return parseCsv(readInputText("csv", path), options, path);
}
