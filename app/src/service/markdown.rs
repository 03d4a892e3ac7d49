//! Publisher-written Markdown to HTML that is safe to put in a page.

use pulldown_cmark::{Options, Parser, html};

/// Renders CommonMark (with tables and strikethrough) and sanitises the
/// result: raw HTML is kept only where it is harmless (no `<script>`, no
/// `on*` attributes, no `javascript:` links), and links get
/// `rel="noopener noreferrer nofollow"`.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut rendered, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&rendered)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn renders_markdown() {
        let html = to_safe_html("## Plan\n\n- **one**\n- two");
        assert!(html.contains("<h2>Plan</h2>"), "{html}");
        assert!(html.contains("<strong>one</strong>"), "{html}");
    }

    #[test]
    fn strips_scripts_and_event_handlers() {
        let html = to_safe_html(
            "hi <script>alert(1)</script> <img src=x onerror=\"alert(2)\"> <a href=\"javascript:alert(3)\">x</a> <b onclick=\"y()\">b</b>",
        );
        let lower = html.to_lowercase();
        for forbidden in ["<script", "onerror", "onclick", "javascript:", "alert(1)"] {
            assert!(!lower.contains(forbidden), "{forbidden} survived: {html}");
        }
        assert!(html.contains("<b>b</b>"), "{html}");
    }

    #[test]
    fn links_do_not_leak_the_opener() {
        let html = to_safe_html("[site](https://example.com)");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }
}
