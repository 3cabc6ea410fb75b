/// The console's style sheet: one column on a phone, tables that become cards under 40 rem, visible focus, and
/// colours whose text contrast is at least 4.5:1 (WCAG 2.2 AA; every pair here is 7:1 or more, the lowest white on the
/// urgent badge's #8a4500; `ConsoleStyleTests` checks each rule's text and background colours).
enum ConsoleStyle {
    static let css = """
        *{box-sizing:border-box}
        body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
        a{color:#0b4f8a}
        a:focus,button:focus,input:focus,select:focus,textarea:focus,main:focus,[tabindex]:focus{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 5px #ffd54f}
        .skip{position:absolute;left:-999px;top:0;background:#1a1a1a;color:#fff;padding:.5rem 1rem;z-index:9}
        .skip:focus{left:.5rem}
        header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.5rem 1rem;background:#10314f;color:#fff}
        header a{color:#fff}
        .brand{font-weight:700;margin:0}
        nav{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;flex:1}
        nav ul{list-style:none;display:flex;gap:1rem;margin:0;padding:0}
        .signout{margin-left:auto;display:flex;align-items:center;gap:.5rem}
        main{padding:1rem;max-width:72rem}
        h1{font-size:1.5rem;margin:.5rem 0 1rem}
        h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
        button{font:inherit;padding:.4rem .8rem;border:2px solid #0b4f8a;border-radius:4px;background:#0b4f8a;color:#fff;cursor:pointer;min-height:2.75rem}
        button.secondary{background:#fff;color:#0b4f8a}
        input,select,textarea{font:inherit;padding:.35rem;border:2px solid #595959;border-radius:4px;min-height:2.75rem;max-width:100%}
        label{display:block;font-weight:600}
        .inline{display:flex;flex-wrap:wrap;gap:.4rem;align-items:end;margin:.25rem 0}
        .inline label{font-weight:400}
        .check{display:flex;align-items:center;gap:.5rem}
        .check input{width:1.5rem;height:1.5rem;min-height:0}
        .check label{display:inline;font-weight:400}
        td a{white-space:nowrap}
        table{border-collapse:collapse;width:100%}
        th,td{text-align:left;vertical-align:top;padding:.5rem;border-bottom:1px solid #8a8a8a}
        th{background:#eef2f6}
        .badge{display:inline-block;padding:0 .5rem;border-radius:4px;color:#fff;font-weight:600}
        .p-emergency{background:#a50e0e}.p-urgent{background:#8a4500}.p-routine{background:#1f5f24}.p-technical{background:#4a4a4a}
        tr.fresh{background:#fff3bf}
        .error{border-left:6px solid #a50e0e;background:#fdecec;padding:.5rem 1rem}
        .notice{border-left:6px solid #1f5f24;background:#edf7ee;padding:.5rem 1rem}
        .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        .state-list{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:1rem;list-style:none;padding:0}
        .state-list li{border:2px solid #8a8a8a;border-radius:6px;padding:.75rem}
        .state-list .alarm{border-color:#a50e0e}
        svg text{font:12px system-ui,sans-serif;fill:#1a1a1a}
        .chart{max-width:100%;height:auto}
        @media (max-width:40rem){
          table.cards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
          table.cards tr{display:block;border:2px solid #8a8a8a;border-radius:6px;margin:0 0 1rem;padding:.25rem}
          table.cards td{display:block;border:0;padding:.25rem .5rem}
          table.cards td::before{content:attr(data-label) ": ";font-weight:600}
          .signout{margin-left:0}
        }
        """
}
