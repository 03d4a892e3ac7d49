use leptos::prelude::*;

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="container site-header-inner">
                <a class="brand" href="/" aria-label="Moa home">
                    <span class="brand-mark" aria-hidden="true">"모아"</span>
                    <span class="brand-name">"Moa"</span>
                </a>
                <nav aria-label="Main" class="site-nav">
                    <a href="/">"Discover"</a>
                </nav>
            </div>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="container">
                <p>"Moa 모아 — crowdfunding for the things people make. Amounts in Korean won (KRW)."</p>
            </div>
        </footer>
    }
}
