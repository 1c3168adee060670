#!/usr/bin/env node
// The published `coffer` command runs the compiled CLI.
import '../dist/main.js';
