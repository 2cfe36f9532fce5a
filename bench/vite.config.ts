// vite-node's configuration for the benches that run kp's workflows in-process (bench/ha-reload.ts).
import {defineConfig} from 'vite';
import {shellAsText} from '../scripts/shell-as-text.js';

export default defineConfig({plugins: [shellAsText]});
