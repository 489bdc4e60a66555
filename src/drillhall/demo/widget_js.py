"""Source of the demo chat widget's minified bundle (``assets/web/static/app.min.js``).

The bundle is what a build tool would emit for a small chat widget: a banner comment and the
whole program on one line. Its config object carries a Google API key, as real single-page
apps often do. The key is not here: ``@API_KEY@``, ``@SENDER_ID@`` and ``@APP_ID@`` are filled
in by :mod:`drillhall.demo.build_assets` with fake values.
"""

from __future__ import annotations

_BANNER = "/*! docs-assistant-widget v2.4.1 | Tidewater Systems internal | bundled */\n"

# One statement (or a few) per entry; the entries are joined without separators.
_CODE: tuple[str, ...] = (
    '!function(){"use strict";',
    'var e={apiKey:"@API_KEY@",authDomain:"tidewater-docs-assistant.firebaseapp.com",'
    'projectId:"tidewater-docs-assistant",storageBucket:"tidewater-docs-assistant.appspot.com",'
    'messagingSenderId:"@SENDER_ID@",appId:"@APP_ID@",measurementId:"G-7QK2M4TR9D"},',
    't={endpoint:"/v1/chat/completions",model:"docs-assistant-1",title:"DocsBot",'
    'placeholder:"Ask about VPN, expenses, deploys\\u2026",greeting:"Hi! I answer questions '
    'from the internal docs.",maxHistory:12,retries:2,timeoutMs:15e3,stream:!0,'
    'storageKey:"dh.docsbot.history.v2"},',
    'n=function(e){return String(e).replace(/[&<>"\']/g,function(e){return{"&":"&amp;",'
    '"<":"&lt;",">":"&gt;",\'"\':"&quot;","\'":"&#39;"}[e]})},',
    'r=function(e){return n(e).replace(/```([\\s\\S]*?)```/g,"<pre><code>$1</code></pre>")'
    '.replace(/`([^`]+)`/g,"<code>$1</code>").replace(/\\*\\*([^*]+)\\*\\*/g,'
    '"<strong>$1</strong>").replace(/^&gt; ?(.*)$/gm,"<blockquote>$1</blockquote>")'
    '.replace(/!\\[([^\\]]*)\\]\\(([^)\\s]+)\\)/g,\'<img alt="$1" src="$2">\')'
    '.replace(/\\n{2,}/g,"<br><br>")},',
    'o=function(e,t){var n=document.createElement(e);return t&&Object.keys(t).forEach('
    'function(e){"text"===e?n.textContent=t[e]:"html"===e?n.innerHTML=t[e]:'
    '"on"===e.slice(0,2)?n.addEventListener(e.slice(2).toLowerCase(),t[e]):'
    'n.setAttribute(e,t[e])}),n},',
    'a=function(){try{var e=window.localStorage.getItem(t.storageKey);return e?JSON.parse(e)'
    ':[]}catch(e){return[]}},',
    'i=function(e){try{window.localStorage.setItem(t.storageKey,JSON.stringify(e.slice('
    '-t.maxHistory)))}catch(e){}},',
    's=function(e){return new Promise(function(t){setTimeout(t,e)})},',
    'c=function(e,n,r){var o=new AbortController,a=setTimeout(function(){o.abort()},'
    't.timeoutMs);return fetch(e,Object.assign({},n,{signal:o.signal})).then(function(e){'
    'if(clearTimeout(a),!e.ok&&r>0&&e.status>=500)return s(400*(t.retries-r+1)).then('
    'function(){return c(e.url,n,r-1)});if(!e.ok)throw new Error("HTTP "+e.status);'
    'return e}).catch(function(o){if(clearTimeout(a),r>0&&"AbortError"!==o.name)return '
    's(400).then(function(){return c(e,n,r-1)});throw o})},',
    'l=function(e,t){var n=e.body.getReader(),r=new TextDecoder,o="",a="";'
    'return function e(){return n.read().then(function(n){if(n.done)return a;'
    'o+=r.decode(n.value,{stream:!0});var i=o.split("\\n");o=i.pop();'
    'for(var s=0;s<i.length;s++){var c=i[s].trim();if(0===c.indexOf("data:")){'
    'var l=c.slice(5).trim();if("[DONE]"===l)return a;try{var u=JSON.parse(l),'
    'd=u.choices&&u.choices[0]&&u.choices[0].delta;d&&d.content&&(a+=d.content,t(a))}'
    'catch(e){}}}return e()})}()},',
    'u=function(e){var n=[{role:"system",content:"Answer from the internal documentation."}]'
    '.concat(e.map(function(e){return{role:e.role,content:e.content}}));'
    'return{model:t.model,messages:n,temperature:.2,max_tokens:512,stream:t.stream}},',
    'd=function(t){var n="https://firebaseinstallations.googleapis.com/v1/projects/"+'
    'e.projectId+"/installations";return fetch(n,{method:"POST",headers:{"Content-Type":'
    '"application/json","x-goog-api-key":e.apiKey},body:JSON.stringify({fid:t,appId:e.appId,'
    'authVersion:"FIS_v2",sdkVersion:"w:0.6.4"})}).then(function(e){return e.ok?e.json():null'
    '}).catch(function(){return null})},',
    'p=function(){var e=new Uint8Array(17);return(window.crypto||window.msCrypto)'
    '.getRandomValues(e),e[0]=112+e[0]%16,btoa(String.fromCharCode.apply(null,e))'
    '.replace(/\\+/g,"-").replace(/\\//g,"_").slice(0,22)},',
    'f=function(e,t,n){var a=o("div",{class:"dh-msg dh-"+t});return a.innerHTML='
    '"assistant"===t?r(n):"<p>"+n.replace(/[<>&]/g,"")+"</p>",e.appendChild(a),'
    'e.scrollTop=e.scrollHeight,a},',
    'h=function(e){var n=a(),r=o("div",{class:"dh-widget",role:"dialog",'
    '"aria-label":t.title}),s=o("div",{class:"dh-header",text:t.title}),'
    'p=o("div",{class:"dh-log","aria-live":"polite"}),h=o("form",{class:"dh-form"}),'
    'm=o("textarea",{class:"dh-input",rows:"2",placeholder:t.placeholder}),'
    'g=o("button",{class:"dh-send",type:"submit",text:"Send"});'
    'h.appendChild(m),h.appendChild(g),r.appendChild(s),r.appendChild(p),r.appendChild(h),'
    'e.appendChild(r),n.length?n.forEach(function(e){f(p,e.role,e.content)}):'
    'f(p,"assistant",t.greeting);',
    'var v=function(e){var r=m.value.trim();if(e&&e.preventDefault(),r){m.value="",'
    'g.disabled=!0,n.push({role:"user",content:r}),f(p,"user",r);'
    'var o=f(p,"assistant","\\u2026");c(t.endpoint,{method:"POST",headers:{"Content-Type":'
    '"application/json"},body:JSON.stringify(u(n))},t.retries).then(function(e){'
    'return t.stream?l(e,function(e){o.innerHTML=r_(e)}):e.json().then(function(e){'
    'return e.choices[0].message.content})}).then(function(e){o.innerHTML=r_(e),'
    'n.push({role:"assistant",content:e}),i(n)}).catch(function(e){o.textContent='
    '"Sorry, DocsBot is unavailable ("+e.message+")."}).then(function(){g.disabled=!1,'
    'p.scrollTop=p.scrollHeight})}};',
    'h.addEventListener("submit",v),m.addEventListener("keydown",function(e){'
    '"Enter"!==e.key||e.shiftKey||v(e)})},',
    'r_=r,',
    'm=function(){var t=document.querySelector("[data-docsbot]")||document.body;'
    'h(t);try{var n=window.localStorage.getItem("dh.fid")||p();'
    'window.localStorage.setItem("dh.fid",n),e.apiKey&&d(n)}catch(e){}};',
    '"loading"===document.readyState?document.addEventListener("DOMContentLoaded",m):m(),',
    'window.DocsBot={version:"2.4.1",config:t,firebase:e,open:m}',
    "}();",
)

WIDGET_TEMPLATE = _BANNER + "".join(_CODE)
"""The whole bundle with placeholders for the fake key values."""
