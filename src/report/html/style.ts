import { VERDICTS } from './model';

/** The filters: a checked radio hides every row of another verdict (CSS only, no script). */
const FILTER_RULES = VERDICTS.map((v) => `#show-${v}:checked~.matrix .p:not(.v-${v})`).join(',') + '{display:none}';
const FILTER_ACTIVE = ['all', ...VERDICTS].map((v) => `#show-${v}:checked+label`).join(',') + '{background:#1d3557;color:#fff;border-color:#1d3557}';

/** Inline CSS of the report (no external font or sheet). Cell geometry is set here, not on 75,000 elements. */
export const STYLE = `
:root{--head:30rem;color-scheme:light}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:1.2rem;color:#1b1b1b;background:#fff}
h1{font-size:1.45rem;margin:0 0 .4rem}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}h2 small{font-weight:normal;color:#555}
h3{font-size:1rem;margin:.2rem 0 .4rem;word-break:break-all}h4{margin:.8rem 0 .3rem;font-size:.95rem}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:.3rem;font-size:1rem;vertical-align:middle;border:2px solid}
.badge.ok{border-color:#2166ac;color:#2166ac}.badge.bad{border-color:#b2182b;color:#b2182b}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:0}.facts dt{font-weight:600}.facts dd{margin:0;word-break:break-all}
.warnings{border-left:4px solid #b2182b;padding:.2rem .8rem;background:#fdf3f3}
.legend ul{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.3rem 1.4rem}.legend li{display:flex;align-items:center;gap:.35rem}
.legend .n{font-variant-numeric:tabular-nums;color:#333}.legend small{color:#555}
.blank{display:inline-block;width:12px;height:12px;border:1px dashed #999}
svg.sw{vertical-align:middle;flex:none}
svg.defs{position:absolute;width:0;height:0;overflow:hidden}
.strip rect,.sw rect{y:1px;width:12px;height:12px}
.u{fill:url(#hm-u)}.o{fill:url(#hm-o)}.n{fill:url(#hm-n)}.z{fill:url(#hm-z)}
.x{stroke:#5e3c99;stroke-width:2.4px}.a{stroke:#555;stroke-width:1.4px;stroke-dasharray:2 1.5}
.filters>input{position:absolute;opacity:0;width:1px;height:1px}
.filters>label{display:inline-block;margin:0 .3rem .5rem 0;padding:.15rem .6rem;border:1px solid #888;border-radius:1rem;cursor:pointer}
.filters>input:focus-visible+label{outline:3px solid #f1a340;outline-offset:1px}
${FILTER_ACTIVE}
${FILTER_RULES}
.matrix{overflow:auto;max-height:82vh;border:1px solid #ccc;position:relative}
.colhead{display:flex;position:sticky;top:0;background:#fff;z-index:3;border-bottom:1px solid #ddd;width:max-content;min-width:100%}
.corner{width:var(--head);flex:none;position:sticky;left:0;background:#fff;z-index:4;align-self:flex-end;padding:.3rem .5rem;font-weight:600}
.cols text{font-size:11px;fill:#222}
details.p{width:max-content;min-width:100%;content-visibility:auto;contain-intrinsic-size:auto 16px}
details.p>summary{display:flex;align-items:center;list-style:none;cursor:pointer;min-height:16px}
details.p>summary::-webkit-details-marker{display:none}
details.p>summary:hover .head,details.p>summary:focus-visible .head{background:#eef3fa}
details.p>summary:focus-visible{outline:2px solid #1d3557}
details.p[open]>summary .head{background:#e3ecf7}
.head{display:flex;align-items:center;width:var(--head);flex:none;position:sticky;left:0;background:#fff;z-index:1;gap:.4rem;padding:0 .4rem;font-size:12.5px;line-height:15px}
.head::before{content:"▸";color:#777;font-size:10px}details[open]>summary .head::before{content:"▾"}
.lbl{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.lbl small{color:#666}
.vd{flex:none;width:7.6em;white-space:nowrap;font-size:10.5px;font-weight:700;text-align:center;border-radius:.2rem}
.v-fail>summary .vd{color:#fff;background:#b2182b}.v-error>summary .vd{color:#fff;background:#333}
.v-no-evidence>summary .vd{background:#e8e8e8;color:#333}.v-pass>summary .vd{color:#2166ac}
.ct{flex:none;width:9.5em;white-space:nowrap;text-align:right;color:#444;font-variant-numeric:tabular-nums}
.dd{position:sticky;left:0;max-width:min(calc(100vw - 4rem),78rem);padding:.4rem 1rem .8rem 1.6rem;border-bottom:1px solid #ddd;background:#fafafa}
.dd p{margin:.25rem 0}
table{border-collapse:collapse;margin:.2rem 0 .6rem;font-size:12.5px}
th,td{border:1px solid #ccc;padding:.15rem .4rem;text-align:left;vertical-align:top}thead th{background:#f0f0f0}
tbody th{font-weight:600}table.why tbody th{font-weight:normal;max-width:40rem}.why{color:#333}
ul.states{list-style:none;padding:0;margin:.2rem 0}ul.states li{margin:.15rem 0}
.tree{list-style:none;padding-left:1.2rem;border-left:1px solid #ccc}.tree>li{margin:.3rem 0}
section.org>.tree{border-left:none;padding-left:0}
.ent{font-weight:600}.acc{list-style:none;padding-left:.6rem;margin:.1rem 0;columns:18rem}.acc li{break-inside:avoid}
.none{color:#666;margin:.1rem .6rem}
pre.scp{background:#f6f6f6;border:1px solid #ccc;padding:.6rem;overflow:auto;max-height:30rem}
.hook{border-left:4px solid #f1a340;padding:.2rem .8rem;background:#fff8ec}
.empty{padding:1rem}
footer{margin-top:1.5rem;color:#555;font-size:12px}
@media print{
  @page{size:A4 landscape;margin:10mm}
  body{margin:0;font-size:10px}
  .filters>input,.filters>label{display:none}
  .matrix{overflow:visible;max-height:none;border:none}
  .colhead,.corner,.head{position:static}
  details.p{break-inside:avoid}
  .dd{position:static;max-width:none;background:none}
  .head::before{content:none}
  *{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
`.trim();
