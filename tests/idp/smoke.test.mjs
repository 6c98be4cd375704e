// node --test tests/idp/ only picks up *.test.mjs files (node 20); the tests live in smoke.mjs.
import './smoke.mjs';
