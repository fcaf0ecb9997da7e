Porozumienie w tej sprawie zawarto we wtorek 17 czerwca, podczas drugiej w ciągu miesiąca wizyty byłego szefa rosyjskiego MON w Koreańskiej Republice Ludowo-Demokratycznej.
Szojgu poinformował, że Kim Dzong Un zdecydował o wysłaniu do Rosji tysiąca saperów, którzy będą zajmować się rozminowywaniem obwodu kurskiego, a także pięciu tysięcy wojskowych robotników budowlanych, mających pomóc w odbudowie zniszczeń wojennych.
Reżimy upamiętnią wspólną walkę z Ukraińcami
Ponadto Szojgu poinformował też, że Moskwa i Pjongjang uzgodniły budowę miejsc pamięci poświęconych północnokoreańskim żołnierzom poległym w walkach z ukraińską armią w obwodzie kurskim.
Stosowane muzeum – poświęcone tej współpracy wojskowej, której Moskwa zaprzeczała przez ponad pół roku – ma zostać zbudowane również w stolicy Korea Północnej.
Szojgu przyleciał do Korei Północnej na polecenie prezydenta Władimira Putina, by kontynuować rozmowy rozpoczęte podczas wcześniejszej wizyty 4 czerwca.
Wówczas rozmawiał z Kim Dzong Unem o sytuacji na froncie ukraińskim, realizacji zapisów porozumienia o strategicznym partnerstwie z czerwca 2024 roku, a także o „pielęgnowaniu pamięci historycznej” o Koreańczykach walczących w Rosji.
Sojusz Kima i Putina pogłębia się od roku
Udział północnokoreańskich żołnierzy w walkach z Ukraińcami został oficjalnie potwierdzony przez Rosję dopiero pod koniec kwietnia.
Szef rosyjskiego Sztabu Generalnego, generał Walerij Gierasimow, ogłosił wówczas pełne "wyzwolenie" obwodu kurskiego, zaznaczając, że północnokoreańskie oddziały odegrały znaczącą rolę w rozbiciu ukraińskiego zgrupowania, które wtargnęło na ten teren.
Wkrótce potem Władimir Putin publicznie podziękował Kim Dzong Unowi i całemu kierownictwu KRLD za udzieloną pomoc.
Zacieśnienie sojuszu rosyjsko-północnokoreańskiego rozpoczęło się od wizyty Putina w Pjongjangu latem 2024 roku.
Wówczas liderzy obu państw podpisali umowę o partnerstwie strategicznym, przewidującą wzajemną pomoc wojskową w razie agresji na którąkolwiek ze stron.
