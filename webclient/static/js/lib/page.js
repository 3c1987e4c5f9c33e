// What every page does once: the print buttons, the sign-out button, and sound unlocked by the first tap.
import { wireActions } from "./dom.js";
import { wireSignOut } from "./api.js";
import { unlock } from "./alerts.js";

wireActions();
wireSignOut();
document.addEventListener("pointerdown", unlock, { once: true });
