//! HTML output: one self-contained page with the SVG inline and the chart title as `<title>`.

use super::scene::Scene;
use super::svg;

pub fn render(scene: &Scene) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>body{{margin:0;padding:16px;background:#f6f7f9;}}\
         svg{{max-width:100%;height:auto;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.15);}}</style>\n\
         </head>\n<body>\n{}</body>\n</html>\n",
        svg::escape(&scene.title),
        svg::render(scene)
    )
}
