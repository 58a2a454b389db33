// Preloaded into a CLI run (node --import) to simulate a project without the fashion-mnist package.
import { hidePackage } from "../hide-package.js";

hidePackage("fashion-mnist");
