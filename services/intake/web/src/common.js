import { initPage } from "./lib/page.js";

initPage();
document.body.dataset.ready = "true";
